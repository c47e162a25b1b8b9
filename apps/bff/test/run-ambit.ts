import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '../bin/ambit.js');

export interface AmbitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `ambit` executable, as a user would, against a data directory. */
export function runAmbit(dataDir: string, args: readonly string[], input?: string): AmbitRun {
  const result = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
