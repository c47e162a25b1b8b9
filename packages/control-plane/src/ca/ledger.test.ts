import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificateLedger, type IssuedCertificateRecord, LEDGER_FILE } from './ledger';
import { caDirOf } from './private-files';
import { makeTempDir } from './test-fixtures';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';

function issued(serial: string, node = 'node-a', identity = CART, at = '2026-11-27T00:00:00.000Z'): IssuedCertificateRecord {
  return { identity, serial, issuer: 'O=cluster.local', node, notBefore: at, notAfter: '2026-11-28T00:00:00.000Z', issuedAt: at };
}

let dir: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  dir = await makeTempDir('ambit-ledger-');
});
afterEach(async () => {
  await dir?.remove();
});

describe('CertificateLedger', () => {
  it('keeps the newest certificates per identity and node, newest first', () => {
    const ledger = CertificateLedger.inMemory({ perKey: 2 });
    for (const serial of ['01', '02', '03']) ledger.record(issued(serial));
    ledger.record(issued('0b', 'node-b'));
    expect(ledger.list().map((r) => `${r.node}:${r.serial}`)).toEqual(['node-a:03', 'node-a:02', 'node-b:0b']);
  });

  it('forgets the pair issued to least recently when it holds too many pairs', () => {
    const ledger = CertificateLedger.inMemory({ maxKeys: 2 });
    ledger.record(issued('01', 'node-a'));
    ledger.record(issued('02', 'node-b'));
    ledger.record(issued('03', 'node-a'));
    ledger.record(issued('04', 'node-c'));
    expect(ledger.list().map((r) => r.node)).toEqual(['node-a', 'node-a', 'node-c']);
  });

  it('survives a restart through <dataDir>/ca/ledger.json, and starts empty from a broken file', async () => {
    const first = await CertificateLedger.open(dir.path);
    first.record(issued('01', 'node-a', CART, '2026-11-27T00:00:00.000Z'));
    first.record(issued('02', 'node-a', CART, '2026-11-27T12:00:00.000Z'));
    await first.flush();
    const again = await CertificateLedger.open(dir.path);
    expect(again.list().map((r) => r.serial)).toEqual(['02', '01']);
    expect(await readFile(join(caDirOf(dir.path), LEDGER_FILE), 'utf8')).not.toMatch(/PRIVATE KEY/);

    await writeFile(join(caDirOf(dir.path), LEDGER_FILE), '{not json');
    expect((await CertificateLedger.open(dir.path)).list()).toEqual([]);
  });
});
