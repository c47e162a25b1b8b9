import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIssuer } from './issuer';
import { loadOrCreateRoot } from './root';
import { makeCsr, makeTempDir, opensslVerify } from './test-fixtures';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate } from './x509';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir?.remove();
});

const certFile = () => join(dir.path, 'ca', 'root-cert.pem');
const keyFile = () => join(dir.path, 'ca', 'root-key.pem');

describe('loadOrCreateRoot', () => {
  it('makes a ten-year P-256 root on first start and keeps its key readable by the owner only', async () => {
    const root = await loadOrCreateRoot(dir.path, 'cluster.local');
    const cert = new X509Certificate(await readFile(certFile(), 'utf8'));

    expect(cert.subject).toBe('O=cluster.local');
    expect(await cert.isSelfSigned()).toBe(true);
    expect(cert.getExtension(BasicConstraintsExtension)?.ca).toBe(true);
    expect((cert.getExtension(KeyUsagesExtension)?.usages ?? 0) & KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const years = (cert.notAfter.getTime() - cert.notBefore.getTime()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(root.chainPem).toEqual([await readFile(certFile(), 'utf8')]);

    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'ca'))).mode & 0o077).toBe(0);
    expect(await readFile(keyFile(), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('signs with the same root after a restart', async () => {
    const first = await loadOrCreateRoot(dir.path, 'cluster.local');
    const second = await loadOrCreateRoot(dir.path, 'cluster.local');
    expect(second.chainPem).toEqual(first.chainPem);

    const issuer = await createIssuer(second, 'cluster.local');
    const issued = await issuer.sign(await issuer.readCsr(await makeCsr({ uris: ['spiffe://cluster.local/ns/a/sa/b'] })));
    expect(await opensslVerify([issued.chain[0] as string, first.chainPem[0] as string])).toMatch(/: OK/);
  });

  it('refuses to start with half a root instead of silently replacing it', async () => {
    await loadOrCreateRoot(dir.path, 'cluster.local');
    await rm(keyFile());
    await expect(loadOrCreateRoot(dir.path, 'cluster.local')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/found .*root-cert\.pem but not .*root-key\.pem: restore the missing file, or remove both/),
    });
  });

  it('refuses a key that does not belong to the root certificate', async () => {
    await loadOrCreateRoot(dir.path, 'cluster.local');
    const other = await makeTempDir();
    try {
      await loadOrCreateRoot(other.path, 'cluster.local');
      await writeFile(keyFile(), await readFile(join(other.path, 'ca', 'root-key.pem')));
    } finally {
      await other.remove();
    }
    await expect(loadOrCreateRoot(dir.path, 'cluster.local')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/root-key\.pem does not match .*root-cert\.pem/),
    });
  });

  it('names the file when the root certificate is not a certificate', async () => {
    await loadOrCreateRoot(dir.path, 'cluster.local');
    await writeFile(certFile(), 'not a certificate');
    await expect(loadOrCreateRoot(dir.path, 'cluster.local')).rejects.toMatchObject({
      message: expect.stringMatching(/root-cert\.pem holds no PEM certificate/),
    });
  });
});
