import { TaskExecutionStatus, TaskNotifyOn, TaskRunKind } from '../src/modules/assistant/assistant.enums';
import { CappedOutput } from '../src/modules/assistant/output-cap';
import { systemMessage } from '../src/modules/assistant/prompt.action';
import { transition } from '../src/modules/assistant/task-outcomes';
import type { TaskRun } from '../src/modules/assistant/task-run';
import { NotificationSeverity } from '../src/modules/notifications/notification.enums';
import { ntfyMessage } from '../src/modules/notifications/ntfy-client';

const run = (over: Partial<TaskRun> = {}): TaskRun => ({
  executionId: 'e',
  taskId: 't',
  workspaceId: 'w',
  userId: 'u',
  taskName: 'Task',
  kind: TaskRunKind.SCHEDULED,
  attempt: 1,
  scheduledFor: null,
  startedAt: new Date('2026-01-01T00:00:00Z'),
  createdAt: new Date('2026-01-01T00:00:00Z'),
  notifyOn: TaskNotifyOn.BOTH,
  maxAttempts: 4,
  retryBackoffSeconds: 30,
  ...over,
});

describe('the end of a run', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  const failure = { kind: 'failure', error: 'boom', output: 'partial', timedOut: false } as const;

  it('retries after a backoff that doubles per attempt', () => {
    const delays = [1, 2, 3].map(
      (attempt) =>
        transition({ run: run({ attempt }), result: failure, durationMs: 5, endedAt: now }).nextAttemptAt!.getTime() -
        now.getTime(),
    );
    expect(delays).toEqual([30_000, 60_000, 120_000]);
    expect(transition({ run: run({ attempt: 2 }), result: failure, durationMs: 5, endedAt: now })).toMatchObject({
      status: TaskExecutionStatus.PENDING,
      attempt: 3,
      error: 'boom',
      output: 'partial',
      finishedAt: null,
    });
  });

  it('fails, or times out, on the last attempt; a lost run is a failure; an interrupted one runs again', () => {
    expect(transition({ run: run({ attempt: 4 }), result: failure, durationMs: 5, endedAt: now })).toMatchObject({
      status: TaskExecutionStatus.FAILED,
      attempt: 4,
      finishedAt: now,
    });
    const timedOut = { ...failure, timedOut: true };
    expect(transition({ run: run({ maxAttempts: 1 }), result: timedOut, durationMs: 5, endedAt: now }).status).toBe(
      TaskExecutionStatus.TIMED_OUT,
    );
    expect(
      transition({ run: run({ maxAttempts: 1 }), result: { kind: 'lost' }, durationMs: null, endedAt: now }),
    ).toMatchObject({
      status: TaskExecutionStatus.FAILED,
      error: 'lost: the server running it stopped',
    });
    expect(
      transition({ run: run({ attempt: 4 }), result: { kind: 'interrupted' }, durationMs: 1, endedAt: now }),
    ).toMatchObject({
      status: TaskExecutionStatus.PENDING,
      attempt: 4,
      nextAttemptAt: now,
    });
  });
});

describe('capped output', () => {
  it('keeps the first bytes and counts the rest, over many chunks', () => {
    const output = new CappedOutput(10);
    for (const chunk of ['abc', 'defgh', 'ijklmnop']) output.push(chunk);
    expect(output.truncated).toBe(true);
    expect(output.text()).toBe('abcdefghij\n… [6 more bytes not kept]');
  });

  it('turns NUL, which a text column cannot hold, into U+FFFD', () => {
    const output = new CappedOutput(100);
    output.push(Buffer.from([0x61, 0x00, 0x62]));
    expect(output.text()).toBe('a\uFFFDb');
  });
});

describe('the system message of a prompt', () => {
  it('lists the memories, with their category, and leaves out what does not fit', () => {
    const message = systemMessage('Brief', [
      { key: 'city', value: 'Lisbon', category: 'places' },
      { key: 'name', value: 'Ann', category: null },
      { key: 'essay', value: 'x'.repeat(20_000), category: null },
    ]);
    expect(message).toContain('"Brief"');
    expect(message).toContain('- [places] city: Lisbon\n- name: Ann\n- (more memories left out)');
    expect(systemMessage('Brief', [])).toContain('no memories');
  });
});

describe('an ntfy message', () => {
  const base = { title: 'T', message: 'M', sourceType: 'task' };

  it('takes its priority from the severity', () => {
    const priority = (severity: NotificationSeverity) =>
      ntfyMessage('topic', { ...base, severity, link: null }, undefined).priority;
    expect([NotificationSeverity.INFO, NotificationSeverity.WARNING, NotificationSeverity.ERROR].map(priority)).toEqual(
      [3, 4, 5],
    );
  });

  it('clicks through to the link, made absolute against APP_URL, and only to http(s)', () => {
    const click = (link: string | null, appUrl?: string) =>
      ntfyMessage('topic', { ...base, severity: NotificationSeverity.INFO, link }, appUrl).click;
    expect(click('/tasks/1', 'https://home.example.com/app/')).toBe('https://home.example.com/tasks/1');
    expect(click('tasks/1', 'https://home.example.com/app/')).toBe('https://home.example.com/app/tasks/1');
    expect(click('/tasks/1')).toBeUndefined();
    expect(click('https://example.org/x')).toBe('https://example.org/x');
    expect(click('javascript:alert(1)', 'https://home.example.com')).toBeUndefined();
  });
});
