/**
 * Child processes of a data plane benchmark: started in their own process group, read from
 * /proc (CPU ticks, resident memory), and stopped by their own pid only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines it printed (stdout and stderr), for error messages. */
  readonly tail: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

export function startProcess(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): BenchProcess {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  if (!child.pid) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const tail: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    for (const watcher of watchers) watcher(line);
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', remember);
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', remember);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  return {
    name,
    child,
    pid,
    tail,
    exited,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms: ${tail.join(' | ')}`)),
          timeoutMs,
        );
        const finish = (error?: Error, match?: RegExpExecArray) => {
          clearTimeout(timer);
          watchers.delete(watch);
          if (match) resolve(match);
          else reject(error);
        };
        const watch = (line: string) => {
          const match = pattern.exec(line);
          if (match) finish(undefined, match);
        };
        watchers.add(watch);
        for (const line of tail) watch(line);
        void exited.then((code) => finish(new Error(`${name} exited (${code}): ${tail.join(' | ')}`)));
      });
    },
    async stop() {
      if (!running) return;
      signal(pid, 'SIGTERM');
      const kill = setTimeout(() => signal(pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name);
  } catch {
    // Already gone.
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Seconds a process's main thread (its event loop) has spent runnable but waiting for a core
 * (/proc/<pid>/schedstat, second field, in ns): on a shared machine, how much of a request's
 * latency is waiting for the CPU rather than work.
 */
export function runQueueWaitSeconds(pid: number): number {
  const [, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
  return Number(waitNs) / 1e9;
}

/** Current and peak resident memory of a process, in MiB. */
export function memoryMiB(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 102.4) / 10, peakRssMiB: Math.round(kib('VmHWM') / 102.4) / 10 };
}
