import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store';

const TOTAL = 1000;
const KILL_AFTER = 300;

describe('store durability', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write when the writer is killed with SIGKILL mid-stream', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-durability-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/apply-stream.ts'), dir, String(TOTAL)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastAck = -1;
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+)$/.exec(line);
        if (match) lastAck = Number(match[1]);
      }
      if (lastAck >= KILL_AFTER) child.kill('SIGKILL');
    });
    try {
      expect(await exited).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    expect(lastAck).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(lastAck).toBeLessThan(TOTAL - 1);

    const raw = new Database(join(dir, 'store.db'));
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
    const store = openSqliteStore({ dataDir: dir });
    try {
      const names = new Set(store.list('ServiceAccount', 'default').map((o) => o.metadata.name));
      for (let i = 0; i <= lastAck; i++) expect(names.has(`sa-${i}`)).toBe(true);
      // Each stored object is whole: its history has exactly its creation.
      expect(store.history({ kind: 'ServiceAccount', namespace: 'default', name: 'sa-0' })).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
