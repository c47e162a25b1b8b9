import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, renameSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Runs the embedded mesh's processes (ztunnels, waypoints, workloads) like a kubelet: restarts a
 * process that exits with exponential backoff (CrashLoopBackOff), keeps its output in a log file,
 * and stops everything it started — SIGTERM, then SIGKILL after a grace period.
 */
export interface ProcessSpec {
  /** Unique: `pod/demo/reviews-v1-0`, `ztunnel/node-a`, `waypoint/demo/waypoint`. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Working directory; default: this process's. */
  cwd?: string;
}

export type ProcessState = 'Starting' | 'Running' | 'BackOff' | 'Stopped';

export interface ProcessStatus {
  name: string;
  state: ProcessState;
  pid: number | undefined;
  restarts: number;
  startedAt: string | undefined;
  lastExit: { code: number | null; signal: string | null; at: string } | undefined;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long is considered healthy again: its backoff resets. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };
const STOP_GRACE_MS = 5_000;
/** How long a stopped process's last output may trail its exit (a grandchild holding its pipes open gets no longer). */
const OUTPUT_GRACE_MS = 1_000;
/** Log files rotate to `<file>.1` past this size, so a chatty process cannot fill the disk. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;

interface Managed {
  spec: ProcessSpec;
  status: ProcessStatus;
  child: ChildProcess | undefined;
  /** Resolves once the current child's stdout and stderr have closed: its last output is in the log. */
  outputClosed: Promise<void> | undefined;
  log: WriteStream | undefined;
  loggedBytes: number;
  backoffMs: number;
  restartTimer: NodeJS.Timeout | undefined;
  stopping: boolean;
}

export class Supervisor {
  private readonly processes = new Map<string, Managed>();
  private readonly listeners = new Set<(status: ProcessStatus) => void>();

  constructor(private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** Called on every state change of any process. */
  onChange(listener: (status: ProcessStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(spec: ProcessSpec): void {
    if (this.processes.has(spec.name)) throw new Error(`${spec.name} is already supervised`);
    const managed: Managed = {
      spec,
      status: { name: spec.name, state: 'Starting', pid: undefined, restarts: 0, startedAt: undefined, lastExit: undefined },
      child: undefined,
      outputClosed: undefined,
      log: undefined,
      loggedBytes: 0,
      backoffMs: this.backoff.initialMs,
      restartTimer: undefined,
      stopping: false,
    };
    this.processes.set(spec.name, managed);
    this.launch(managed);
  }

  status(name: string): ProcessStatus | undefined {
    const managed = this.processes.get(name);
    return managed ? { ...managed.status } : undefined;
  }

  list(): ProcessStatus[] {
    return [...this.processes.values()].map((m) => ({ ...m.status }));
  }

  has(name: string): boolean {
    return this.processes.has(name);
  }

  /** Stops one process and forgets it. */
  async stop(name: string): Promise<void> {
    const managed = this.processes.get(name);
    if (!managed) return;
    managed.stopping = true;
    if (managed.restartTimer) clearTimeout(managed.restartTimer);
    const outputClosed = managed.outputClosed;
    await terminate(managed.child);
    // Output can trail the exit: ending the log before the pipes close made a late chunk a write after end (a crash).
    if (outputClosed) await Promise.race([outputClosed, elapsed(OUTPUT_GRACE_MS)]);
    const log = managed.log;
    managed.log = undefined;
    log?.end();
    this.processes.delete(name);
    this.update(managed, { state: 'Stopped', pid: undefined });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stop(name)));
  }

  private launch(managed: Managed): void {
    const { spec } = managed;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    managed.log ??= createWriteStream(spec.logFile, { flags: 'a' });
    const child = spawn(spec.command, spec.args, {
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
    });
    managed.child = child;
    managed.outputClosed = new Promise((resolve) => child.once('close', () => resolve()));
    const startedAt = Date.now();
    const write = (chunk: Buffer) => this.writeLog(managed, chunk);
    child.stdout?.on('data', write);
    child.stderr?.on('data', write);
    child.once('spawn', () => this.update(managed, { state: 'Running', pid: child.pid, startedAt: new Date(startedAt).toISOString() }));
    child.once('error', (error) => this.writeLog(managed, Buffer.from(`supervisor: failed to start: ${error.message}\n`)));
    child.once('exit', (code, signal) => {
      managed.child = undefined;
      const lastExit = { code, signal, at: new Date().toISOString() };
      if (managed.stopping) return;
      this.writeLog(managed, Buffer.from(`supervisor: exited (code ${code}, signal ${signal}); restarting in ${managed.backoffMs} ms\n`));
      if (Date.now() - startedAt >= this.backoff.resetAfterMs) managed.backoffMs = this.backoff.initialMs;
      const delay = managed.backoffMs;
      managed.backoffMs = Math.min(managed.backoffMs * 2, this.backoff.maxMs);
      this.update(managed, { state: 'BackOff', pid: undefined, restarts: managed.status.restarts + 1, lastExit });
      managed.restartTimer = setTimeout(() => {
        managed.restartTimer = undefined;
        if (!managed.stopping) this.launch(managed);
      }, delay);
    });
  }

  private writeLog(managed: Managed, chunk: Buffer): void {
    if (!managed.log) return;
    managed.loggedBytes += chunk.length;
    if (managed.loggedBytes > MAX_LOG_BYTES) {
      managed.log.end();
      try {
        renameSync(managed.spec.logFile, `${managed.spec.logFile}.1`);
      } catch {
        // Another rotation won the race; keep writing.
      }
      managed.log = createWriteStream(managed.spec.logFile, { flags: 'a' });
      managed.loggedBytes = chunk.length;
    }
    managed.log.write(chunk);
  }

  private update(managed: Managed, patch: Partial<ProcessStatus>): void {
    managed.status = { ...managed.status, ...patch };
    for (const listener of this.listeners) listener({ ...managed.status });
  }
}

/** Resolves after `ms` without holding the process open. */
function elapsed(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** SIGTERM, then SIGKILL if the process is still there after the grace period. */
function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
