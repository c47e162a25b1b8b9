import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIssuer, DEFAULT_TTL_POLICY, type Issuer, resolveTtlSeconds } from './issuer';
import { loadOrCreateRoot } from './root';
import { makeCsr, makeTempDir, opensslVerify } from './test-fixtures';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from './x509';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const DAY_S = 24 * 3600;

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let issuer: Issuer;

beforeEach(async () => {
  dir = await makeTempDir();
  issuer = await createIssuer(await loadOrCreateRoot(dir.path, 'cluster.local'), 'cluster.local');
});
afterEach(async () => {
  await dir?.remove();
});

async function issue(ttlSeconds?: number) {
  const csr = await issuer.readCsr(await makeCsr({ uris: [CART] }));
  return issuer.sign(csr, ttlSeconds);
}

describe('issuer', () => {
  it('signs a leaf for both ends of mTLS whose only name is the SPIFFE id', async () => {
    const issued = await issue();
    const leaf = new X509Certificate(issued.chain[0] as string);

    expect(leaf.subject).toBe('');
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([{ type: 'url', value: CART }]);
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.critical).toBe(true);
    expect(leaf.getExtension(BasicConstraintsExtension)?.ca).toBe(false);
    expect(leaf.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment);
    expect(leaf.getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]);
    expect(leaf.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(leaf.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
  });

  it('returns the chain leaf first and root last, and openssl accepts it for server and client use', async () => {
    const issued = await issue();
    expect(issued.chain).toHaveLength(2);
    expect(issued.chain[1]).toBe(issuer.rootCertPem);
    const [leaf, root] = issued.chain.map((pem) => new X509Certificate(pem)) as [X509Certificate, X509Certificate];
    expect(await leaf.verify({ publicKey: root.publicKey })).toBe(true);
    expect(await opensslVerify(issued.chain, 'sslserver')).toMatch(/: OK/);
    expect(await opensslVerify(issued.chain, 'sslclient')).toMatch(/: OK/);
  });

  it('gives each leaf a random positive 128-bit serial', async () => {
    const serials = await Promise.all([issue(), issue(), issue()]).then((all) => all.map((c) => c.serialNumber));
    expect(new Set(serials).size).toBe(3);
    for (const serial of serials) {
      expect(serial.length).toBeLessThanOrEqual(32);
      expect(BigInt(`0x${serial}`)).toBeGreaterThan(0n);
    }
  });

  it('lives 24 h by default, starting a minute in the past', async () => {
    const before = Date.now();
    const leaf = new X509Certificate((await issue()).chain[0] as string);
    const after = Date.now();
    expect(leaf.notBefore.getTime()).toBeGreaterThanOrEqual(Math.floor((before - 60_000) / 1000) * 1000);
    expect(leaf.notBefore.getTime()).toBeLessThanOrEqual(after - 59_000);
    const lifetimeS = (leaf.notAfter.getTime() - before) / 1000;
    expect(lifetimeS).toBeGreaterThan(DAY_S - 2);
    expect(lifetimeS).toBeLessThanOrEqual(DAY_S + 1);
  });

  it('lives 30 s when asked, and no longer than 90 days whatever is asked', async () => {
    const short = await issue(30);
    expect((short.notAfter.getTime() - Date.now()) / 1000).toBeGreaterThan(27);
    expect((short.notAfter.getTime() - Date.now()) / 1000).toBeLessThanOrEqual(30);
    const long = await issue(365 * DAY_S);
    expect((long.notAfter.getTime() - Date.now()) / 1000).toBeGreaterThan(90 * DAY_S - 5);
    expect((long.notAfter.getTime() - Date.now()) / 1000).toBeLessThanOrEqual(90 * DAY_S);
  });

  it('refuses lifetimes below the minimum and negative ones', async () => {
    await expect(issue(5)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/minimum of 10s/) });
    await expect(issue(-1)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});

describe('resolveTtlSeconds', () => {
  it('maps 0 or nothing to the default and clamps above the maximum', () => {
    expect(resolveTtlSeconds(undefined)).toBe(DEFAULT_TTL_POLICY.defaultSeconds);
    expect(resolveTtlSeconds(0)).toBe(DAY_S);
    expect(resolveTtlSeconds(30)).toBe(30);
    expect(resolveTtlSeconds(10 ** 12)).toBe(90 * DAY_S);
  });
});
