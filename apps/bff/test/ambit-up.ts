import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive } from './processes';
import { waitUntil } from './wait';

// import.meta.url, not __dirname: the startup benchmark runs this file under tsx as ESM.
const BIN = fileURLToPath(new URL('../bin/ambit.js', import.meta.url));

/** A real `ambit up` process, as a user starts it, and everything it starts below it. */
export interface AmbitUp {
  readonly process: ChildProcess;
  /** `performance.now()` just before the process was spawned. */
  readonly spawnedAt: number;
  /** What it printed so far: its log (stdout, kept in a file) and its standard error. */
  output(): string;
  /** Resolves once it printed "Ambit is up". */
  ready(timeoutMs?: number): Promise<void>;
  /** Ctrl-C, then SIGKILL for whatever is still alive after `graceMs`: nothing is left behind, even after a failure. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `ambit --data-dir <dataDir> up <args>` with its control plane on free ports. Its log goes
 * to `logFile` (default `ambit-up.log` beside the data directory), not a pipe: a pipe this process
 * is too busy to drain (while it waits for a CLI command) would stall the control plane's writes.
 */
export function startAmbitUp(dataDir: string, args: readonly string[], logFile = join(dirname(dataDir), 'ambit-up.log')): AmbitUp {
  const log = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      BIN,
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
    {
      stdio: ['ignore', log, 'pipe'],
    },
  );
  closeSync(log);
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => `${readFileSync(logFile, 'utf8')}${errors}`;
  return {
    process: child,
    spawnedAt,
    output,
    async ready(timeoutMs = 30_000) {
      await waitUntil('ambit up to be ready', () => errors.includes('Ambit is up') || child.exitCode !== null, timeoutMs);
      if (child.exitCode !== null) throw new Error(`ambit up exited with ${child.exitCode}:\n${output()}`);
    },
    async stop(graceMs = 15_000) {
      const below = child.pid === undefined ? [] : descendants(child.pid);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
      }
      for (const pid of [...below, ...(child.pid === undefined ? [] : [child.pid])]) {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    },
  };
}
