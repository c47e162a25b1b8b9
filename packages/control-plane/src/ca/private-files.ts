/** Files only the control plane's user may read: CA keys and node token hashes. */

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where the CA keeps its files inside the control plane's data directory. */
export function caDirOf(dataDir: string): string {
  return join(dataDir, 'ca');
}

/**
 * Writes `contents` to `path` with the given mode, atomically: readers see the old file or the
 * new one, never half of it. Missing parent directories are made readable by the owner only.
 */
export async function writeFileAtomically(path: string, contents: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, contents, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
