import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPluginCerts } from './plugin-certs';
import { loadOrCreateRoot } from './root';
import { issueServingCertificate } from './serving-cert';
import type { SigningCert } from './signing-cert';
import { makePluginCerts, makeTempDir, opensslText, opensslVerify } from './test-fixtures';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from './x509';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let root: SigningCert;

beforeEach(async () => {
  dir = await makeTempDir();
  root = await loadOrCreateRoot(dir.path, 'cluster.local');
});
afterEach(async () => {
  await dir?.remove();
});

function lifetimeSeconds(leaf: X509Certificate): number {
  return (leaf.notAfter.getTime() - Date.now()) / 1000;
}

describe('the control plane serving certificate', () => {
  it("names istiod the way Istio's clients check it: DNS names, 127.0.0.1 and the SPIFFE id", async () => {
    const issued = await issueServingCertificate(root, 'cluster.local');
    const leaf = new X509Certificate(issued.chain[0] as string);

    expect(issued.identity).toBe('spiffe://cluster.local/ns/istio-system/sa/istiod');
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([
      { type: 'dns', value: 'istiod.istio-system.svc' },
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'url', value: 'spiffe://cluster.local/ns/istio-system/sa/istiod' },
    ]);
    expect(await opensslText(issued.chain[0] as string)).toMatch(
      /DNS:istiod\.istio-system\.svc, DNS:localhost, IP Address:127\.0\.0\.1, URI:spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/istiod/,
    );
  });

  it('is for serving only, not a CA, and chains to the root for openssl as an SSL server', async () => {
    const issued = await issueServingCertificate(root, 'cluster.local');
    const leaf = new X509Certificate(issued.chain[0] as string);

    expect(leaf.getExtension(BasicConstraintsExtension)?.ca).toBe(false);
    expect(leaf.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment);
    expect(leaf.getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([ExtendedKeyUsage.serverAuth]);
    expect(leaf.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(issued.chain).toEqual([issued.chain[0], root.chainPem[0]]);
    expect(await opensslVerify(issued.chain, 'sslserver')).toMatch(/leaf\.pem: OK/);
    await expect(opensslVerify(issued.chain, 'sslclient')).rejects.toThrow(/unsuitable certificate purpose/);
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('lives 24 h by default, or as asked, and takes extra names', async () => {
    const daily = await issueServingCertificate(root, 'cluster.local');
    expect(lifetimeSeconds(new X509Certificate(daily.chain[0] as string))).toBeGreaterThan(24 * 3600 - 5);

    const custom = await issueServingCertificate(root, 'mesh.example', {
      dnsNames: ['cp.mesh.example'],
      ipAddresses: ['10.0.0.7', '::1'],
      ttlSeconds: 60,
    });
    const leaf = new X509Certificate(custom.chain[0] as string);
    expect(lifetimeSeconds(leaf)).toBeLessThanOrEqual(60);
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([
      { type: 'dns', value: 'cp.mesh.example' },
      { type: 'ip', value: '10.0.0.7' },
      { type: 'ip', value: '::1' },
      { type: 'url', value: 'spiffe://mesh.example/ns/istio-system/sa/istiod' },
    ]);
  });

  it('is signed by the plug-in intermediate and carries its chain up to the external root', async () => {
    const pluginDir = await makeTempDir();
    try {
      await makePluginCerts(pluginDir.path);
      const issued = await issueServingCertificate(await loadPluginCerts(pluginDir.path), 'cluster.local');
      expect(issued.chain).toHaveLength(3);
      expect(await opensslVerify(issued.chain, 'sslserver')).toMatch(/leaf\.pem: OK/);
    } finally {
      await pluginDir.remove();
    }
  });

  it('refuses a name that is not an IP address as an IP SAN, and a lifetime that is not positive', async () => {
    await expect(issueServingCertificate(root, 'cluster.local', { ipAddresses: ['istiod'] })).rejects.toThrow(
      /"istiod" is not an IPv4 or IPv6 literal/,
    );
    await expect(issueServingCertificate(root, 'cluster.local', { ttlSeconds: 0 })).rejects.toThrow(/positive number of seconds/);
  });
});
