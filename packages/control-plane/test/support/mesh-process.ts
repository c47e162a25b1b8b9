/**
 * A real embedded mesh (`ambit up`, the CLI a user runs) as a child process, for tests that need
 * live proxies. The control plane may not import the dataplane, so the mesh runs as a process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const AMBIT = fileURLToPath(new URL('../../../../apps/bff/bin/ambit.js', import.meta.url));

export interface MeshProcess {
  output(): string;
  ready(timeoutMs?: number): Promise<void>;
  /** Ctrl-C, then SIGKILL for anything of it still alive: nothing is left behind. */
  stop(): Promise<void>;
}

export function startMesh(dataDir: string, args: readonly string[]): MeshProcess {
  const logFile = join(dataDir, '..', 'ambit-up.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      AMBIT,
      '--data-dir',
      dataDir,
      'up',
      '--xds-port',
      '0',
      '--secure-xds-port',
      '0',
      '--monitoring-port',
      '0',
      '--api-port',
      '0',
      '--no-console',
      ...args,
    ],
    { stdio: ['ignore', log, 'pipe'] },
  );
  closeSync(log);
  let errors = '';
  child.stderr?.on('data', (c) => {
    errors += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => `${readFileSync(logFile, 'utf8')}${errors}`;
  return {
    output,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!errors.includes('Ambit is up')) {
        if (child.exitCode !== null) throw new Error(`ambit up exited with ${child.exitCode}:\n${output()}`);
        if (Date.now() > deadline) throw new Error(`ambit up not ready after ${timeoutMs} ms:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      const below = child.pid === undefined ? [] : descendants(child.pid);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      for (const pid of [...below, ...(child.pid === undefined ? [] : [child.pid])]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Every process below `root`, from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: ppid is the second field after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
