import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { CappedOutput } from './output-cap';
import type { CommandConfig } from './task.config';

/** How long a stopped command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

/** A failure that still has output worth keeping (a command's stderr). */
export class TaskRunError extends Error {
  constructor(
    message: string,
    readonly output: string | null,
  ) {
    super(message);
    this.name = 'TaskRunError';
  }
}

export interface CommandOptions {
  /** The working folder (AI_WORKSPACE), created when missing. */
  cwd: string;
  maxOutputBytes: number;
  signal: AbortSignal;
  /** Extra environment, e.g. the task and execution ids. */
  env: Record<string, string>;
}

/**
 * Runs the program with its argument array — `spawn` without a shell, so nothing in the task is
 * ever interpreted as shell syntax — in its own process group (stopped as a whole on timeout),
 * with a small environment of its own (none of the server's secrets). stdout and stderr are kept
 * together up to the output cap; a non-zero exit is a failure that keeps the output.
 */
export async function runCommand(config: CommandConfig, options: CommandOptions): Promise<{ output: string }> {
  await mkdir(options.cwd, { recursive: true });
  const output = new CappedOutput(options.maxOutputBytes);
  return new Promise((resolve, reject) => {
    const child = spawn(config.command, config.args, {
      cwd: options.cwd,
      shell: false,
      detached: true,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: options.cwd,
        LANG: process.env.LANG ?? 'C.UTF-8',
        ...options.env,
      },
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal.removeEventListener('abort', stop);
      const message =
        error.code === 'ENOENT' ? `command not found: ${config.command}` : `could not start: ${error.message}`;
      reject(new TaskRunError(message, null));
    });
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      const text = output.text();
      if (code === 0) resolve({ output: text });
      else reject(new TaskRunError(signal ? `stopped by ${signal}` : `exited with code ${code}`, text));
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
