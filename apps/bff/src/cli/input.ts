import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { AmbitError, MAX_INPUT_BYTES, type ManifestObject, readManifests } from '@ambit/shared';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function readStdin(): string {
  // File descriptor 0 read synchronously: the CLI reads the whole stream before acting.
  return readFileSync(0, 'utf8');
}

function filesOf(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new AmbitError('NotFound', `cannot read ${path}: no such file or directory`);
  }
  if (stat.isDirectory()) {
    return readdirSync(path)
      .filter((f) => MANIFEST_EXTENSIONS.has(extname(f)))
      .sort()
      .map((f) => join(path, f));
  }
  if (stat.size > MAX_INPUT_BYTES) {
    throw new AmbitError(
      'DocumentTooLarge',
      `${path} is ${(stat.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${MAX_INPUT_BYTES / 1024 / 1024} MiB`,
    );
  }
  return [path];
}

/** Reads and validates every manifest named by `-f` (files, directories, or `-` for stdin). */
export function readManifestArgs(paths: readonly string[]): ManifestObject[] {
  if (paths.length === 0) throw new AmbitError('InvalidArgument', 'no manifests given; use -f FILE, -f DIR or -f - for standard input');
  const out: ManifestObject[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(...readManifests(readStdin(), 'standard input'));
      continue;
    }
    for (const file of filesOf(path)) {
      out.push(...readManifests(readFileSync(file, 'utf8'), file));
    }
  }
  return out;
}
