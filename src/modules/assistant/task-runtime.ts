import type { App } from '../../app';
import { PollLoop } from '../../common/concurrency';
import { OutcomeWriter } from './task-outcomes';
import { TaskRunner } from './task-runner';
import { TaskScheduler, type TickScope } from './task-scheduler';

export interface TickResult {
  /** Lost runs (their instance died) handed back for a retry or a failure. */
  recovered: number;
  /** Scheduled times turned into executions (PENDING, or SKIPPED). */
  claimed: number;
  /** Runs started on this instance. */
  started: number;
}

/**
 * The long-lived part of the assistant: every `TASK_POLL_MS` (and whenever a run ends or is asked
 * for) it recovers lost runs, claims due tasks and starts what this instance has room for. Any
 * number of instances may run it on one database.
 */
export class TaskRuntime {
  readonly scheduler: TaskScheduler;
  readonly runner: TaskRunner;
  readonly outcomes: OutcomeWriter;
  readonly #loop: PollLoop;

  constructor(private readonly app: App) {
    const settings = app.config.tasks;
    this.outcomes = new OutcomeWriter(app);
    this.scheduler = new TaskScheduler(app, settings);
    this.runner = new TaskRunner(app, settings, this.outcomes, () => this.#loop.poke());
    this.#loop = new PollLoop(
      settings.pollMs,
      () => this.tick(),
      (error) => app.logger.error({ err: error }, 'task tick failed'),
    );
  }

  /**
   * One round at `now`: lost runs first, then due tasks a batch at a time, each batch followed by
   * starting what fits (so the first runs start before the last due task is claimed).
   */
  async tick(options: { now?: Date } & TickScope = {}): Promise<TickResult> {
    const now = options.now ?? this.app.clock();
    const scope: TickScope = options.workspaceId ? { workspaceId: options.workspaceId } : {};
    const lost = await this.scheduler.lostRuns(now, this.runner.running, scope);
    for (const run of lost) this.outcomes.submit({ run, result: { kind: 'lost' }, durationMs: null, endedAt: now });
    let claimed = 0;
    let started = 0;
    for (;;) {
      const batch = await this.scheduler.claimBatch(now, scope);
      claimed += batch;
      started += await this.runner.startDue(now, scope);
      if (batch < this.app.config.tasks.batchSize) break;
    }
    return { recovered: lost.length, claimed, started };
  }

  /** Polls until `stop` (only on instances with `TASK_ENGINE=true`). */
  start(): void {
    this.#loop.start();
  }

  /** A run was asked for: look at once (when polling). */
  poke(): void {
    this.#loop.poke();
  }

  /** Waits until no run is in progress here and every outcome is written. */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** Stops polling; runs in progress are stopped and written back to run again. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.runner.stop();
  }
}
