import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIssuer } from './issuer';
import { loadPluginCerts } from './plugin-certs';
import { loadOrCreateRoot } from './root';
import { makeCsr, makePluginCerts, makeTempDir, opensslVerify } from './test-fixtures';
import { X509Certificate } from './x509';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir?.remove();
});

async function issueWith(pluginDir: string): Promise<string[]> {
  const issuer = await createIssuer(await loadPluginCerts(pluginDir), 'cluster.local');
  const csr = await issuer.readCsr(await makeCsr({ uris: ['spiffe://cluster.local/ns/shop/sa/cart'] }));
  return (await issuer.sign(csr)).chain;
}

describe('loadPluginCerts', () => {
  it('signs under an intermediate and returns leaf, intermediate, external root', async () => {
    await makePluginCerts(dir.path);
    const chain = await issueWith(dir.path);

    expect(chain).toHaveLength(3);
    const [leaf, intermediate, root] = chain.map((pem) => new X509Certificate(pem)) as X509Certificate[];
    expect(leaf?.issuer).toBe(intermediate?.subject);
    expect(intermediate?.subject).toMatch(/CN=Intermediate CA/);
    expect(root?.subject).toMatch(/CN=Example Root CA/);
    expect(root?.equal(new X509Certificate(await readFile(join(dir.path, 'root-cert.pem'), 'utf8')))).toBe(true);
    expect(await opensslVerify(chain, 'sslserver')).toMatch(/: OK/);
  });

  it('signs with an RSA intermediate key in PKCS#1 form, as older Istio tooling writes it', async () => {
    await makePluginCerts(dir.path, { caKey: 'rsa' });
    expect(await readFile(join(dir.path, 'ca-key.pem'), 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(await opensslVerify(await issueWith(dir.path))).toMatch(/: OK/);
  });

  it('names every missing file', async () => {
    await makePluginCerts(dir.path);
    await rm(join(dir.path, 'ca-key.pem'));
    await rm(join(dir.path, 'cert-chain.pem'));
    await expect(loadPluginCerts(dir.path)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/incomplete: missing or unreadable ca-key\.pem, cert-chain\.pem/),
    });
  });

  it('refuses a ca-key.pem that is not the key of ca-cert.pem', async () => {
    await makePluginCerts(dir.path);
    const other = await makeTempDir();
    try {
      await makePluginCerts(other.path);
      await writeFile(join(dir.path, 'ca-key.pem'), await readFile(join(other.path, 'ca-key.pem')));
    } finally {
      await other.remove();
    }
    await expect(loadPluginCerts(dir.path)).rejects.toMatchObject({
      message: expect.stringMatching(/ca-key\.pem does not match .*ca-cert\.pem/),
    });
  });

  it('refuses a root-cert.pem that did not sign the intermediate', async () => {
    await makePluginCerts(dir.path);
    const other = await makeTempDir();
    try {
      await makePluginCerts(other.path);
      const otherRoot = await readFile(join(other.path, 'root-cert.pem'));
      await writeFile(join(dir.path, 'root-cert.pem'), otherRoot);
      await expect(loadPluginCerts(dir.path)).rejects.toMatchObject({
        message: expect.stringMatching(/cert-chain\.pem ends in a root .* that is not the one in .*root-cert\.pem/),
      });
      // With cert-chain.pem agreeing on the wrong root, the broken link itself is named.
      await writeFile(join(dir.path, 'cert-chain.pem'), await readFile(join(dir.path, 'ca-cert.pem')));
      await expect(loadPluginCerts(dir.path)).rejects.toMatchObject({
        message: expect.stringMatching(/chain from .*ca-cert\.pem is broken: .*Intermediate CA.* is not signed by .*Example Root CA/),
      });
    } finally {
      await other.remove();
    }
  });

  it('refuses a ca-cert.pem that is not a CA', async () => {
    const generated = await makeTempDir();
    try {
      // A leaf from a generated root stands in for a certificate that may not sign.
      const root = await loadOrCreateRoot(generated.path, 'cluster.local');
      const issuer = await createIssuer(root, 'cluster.local');
      const leaf = await issuer.sign(await issuer.readCsr(await makeCsr({ uris: ['spiffe://cluster.local/ns/a/sa/b'] })));
      await makePluginCerts(dir.path);
      await writeFile(join(dir.path, 'ca-cert.pem'), leaf.chain[0] as string);
    } finally {
      await generated.remove();
    }
    await expect(loadPluginCerts(dir.path)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
