/**
 * The CA through real gRPC on 127.0.0.1, as a node proxy calls it: Istio's
 * IstioCertificateService/CreateCertificate with `authorization: Bearer <node token>`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { type CertificateAuthority, certificateProto, createCertificateAuthority, startCertificateServer } from '../src/ca/index';
import { captureLogger, makeCsr, makePluginCerts, makeTempDir, opensslVerify, tamperCsr } from '../src/ca/test-fixtures';
import { SubjectAlternativeNameExtension, X509Certificate } from '../src/ca/x509';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const PAYMENTS = 'spiffe://cluster.local/ns/shop/sa/payments';
const WORKLOADS_BY_NODE: Record<string, string[]> = { 'node-a': [CART], 'node-b': [PAYMENTS] };

interface CertificateRequestMessage {
  csr: string;
  validityDuration?: number;
  metadata?: { fields: Record<string, { stringValue: string }> };
}
type CertificateClient = grpc.Client & {
  CreateCertificate(
    request: CertificateRequestMessage,
    metadata: grpc.Metadata,
    callback: (error: grpc.ServiceError | null, response?: { certChain: string[] }) => void,
  ): void;
};

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

/** A CA on its own gRPC server, plus a client and node-a's token; all closed after the test. */
async function startMesh(dataDir: string, options: { pluginCertsDir?: string } = {}) {
  const log = captureLogger();
  const ca = await createCertificateAuthority({
    dataDir,
    logger: log.logger,
    identitiesOnNode: (node) => new Set(WORKLOADS_BY_NODE[node] ?? []),
    ...options,
  });
  const server = await startCertificateServer(ca, { host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close());
  const client = connect(server.address);
  return { ca, server, client, log };
}

function connect(address: string): CertificateClient {
  const proto = grpc.loadPackageDefinition(certificateProto()) as unknown as {
    istio: { v1: { auth: { IstioCertificateService: grpc.ServiceClientConstructor } } };
  };
  const client = new proto.istio.v1.auth.IstioCertificateService(
    address,
    grpc.credentials.createInsecure(),
  ) as unknown as CertificateClient;
  cleanups.push(() => client.close());
  return client;
}

function createCertificate(client: CertificateClient, request: CertificateRequestMessage, authorization?: string): Promise<string[]> {
  const metadata = new grpc.Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return new Promise((resolve, reject) =>
    client.CreateCertificate(request, metadata, (error, response) => (error ? reject(error) : resolve(response?.certChain ?? []))),
  );
}

async function nodeToken(ca: CertificateAuthority, node = 'node-a'): Promise<string> {
  return `Bearer ${await ca.nodeTokens.issueNodeToken(node)}`;
}

function leafOf(chain: string[]): X509Certificate {
  return new X509Certificate(chain[0] as string);
}

function lifetimeSeconds(chain: string[]): number {
  return (leafOf(chain).notAfter.getTime() - Date.now()) / 1000;
}

describe('IstioCertificateService/CreateCertificate over gRPC', () => {
  it('signs a workload on the caller node: chain leaf → root, SPIFFE SAN, 24 h, verified by openssl', async () => {
    const { ca, client } = await startMesh(await tempDir());
    const chain = await createCertificate(client, { csr: await makeCsr({ uris: [CART] }) }, await nodeToken(ca));

    expect(chain).toHaveLength(2);
    expect(chain[1]).toBe(ca.rootCertPem);
    const leaf = leafOf(chain);
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([{ type: 'url', value: CART }]);
    expect(await leaf.verify({ publicKey: new X509Certificate(ca.rootCertPem).publicKey })).toBe(true);
    expect(await opensslVerify(chain, 'sslserver')).toMatch(/leaf\.pem: OK/);
    expect(lifetimeSeconds(chain)).toBeGreaterThan(24 * 3600 - 5);
    expect(lifetimeSeconds(chain)).toBeLessThanOrEqual(24 * 3600);
  });

  it('honours validity_duration: 30 s when asked', async () => {
    const { ca, client } = await startMesh(await tempDir());
    const chain = await createCertificate(client, { csr: await makeCsr({ uris: [CART] }), validityDuration: 30 }, await nodeToken(ca));
    expect(lifetimeSeconds(chain)).toBeGreaterThan(25);
    expect(lifetimeSeconds(chain)).toBeLessThanOrEqual(30);
  });

  it('accepts ImpersonatedIdentity in the metadata Struct when it names the CSR identity', async () => {
    const { ca, client } = await startMesh(await tempDir());
    const token = await nodeToken(ca);
    const csr = await makeCsr({ uris: [CART] });
    const impersonating = (id: string) => ({ csr, metadata: { fields: { ImpersonatedIdentity: { stringValue: id } } } });

    expect(await createCertificate(client, impersonating(CART), token)).toHaveLength(2);
    await expect(createCertificate(client, impersonating(PAYMENTS), token)).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringMatching(/ImpersonatedIdentity .*payments does not match/),
    });
  });

  it('keeps its root and node tokens across a restart', async () => {
    const dataDir = await tempDir();
    const tokenFile = join(dataDir, 'node-a.token');
    const first = await startMesh(dataDir);
    await first.ca.nodeTokens.issueNodeToken('node-a', { writeTo: tokenFile });
    const token = `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`;
    const before = await createCertificate(first.client, { csr: await makeCsr({ uris: [CART] }) }, token);
    await first.server.close();

    const second = await startMesh(dataDir);
    const after = await createCertificate(second.client, { csr: await makeCsr({ uris: [CART] }) }, token);
    expect(second.ca.rootCertPem).toBe(first.ca.rootCertPem);
    expect(after.at(-1)).toBe(before.at(-1));
    expect(await opensslVerify([after[0] as string, before.at(-1) as string])).toMatch(/: OK/);
  });

  it('signs under plug-in cacerts: leaf, intermediate, external root', async () => {
    const pluginCertsDir = await tempDir();
    await makePluginCerts(pluginCertsDir);
    const { ca, client } = await startMesh(await tempDir(), { pluginCertsDir });
    const chain = await createCertificate(client, { csr: await makeCsr({ uris: [CART] }) }, await nodeToken(ca));

    expect(chain).toHaveLength(3);
    expect(chain[2]).toBe(await readFile(join(pluginCertsDir, 'root-cert.pem'), 'utf8'));
    expect(new X509Certificate(chain[1] as string).subject).toMatch(/CN=Intermediate CA/);
    expect(await opensslVerify(chain, 'sslclient')).toMatch(/leaf\.pem: OK/);
  });

  describe('refuses', () => {
    async function refusal(request: (ca: CertificateAuthority) => Promise<{ message: CertificateRequestMessage; authorization?: string }>) {
      const { ca, client, log } = await startMesh(await tempDir());
      const { message, authorization } = await request(ca);
      const error = await createCertificate(client, message, authorization).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      const logged = log.lines().filter((line) => line.msg === 'certificate request refused');
      return { error, logged, logText: log.text() };
    }

    it('a workload on another node, with PERMISSION_DENIED, logged with node and identity', async () => {
      const { error, logged } = await refusal(async (ca) => ({
        message: { csr: await makeCsr({ uris: [PAYMENTS] }) },
        authorization: await nodeToken(ca, 'node-a'),
      }));
      expect(error).toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: expect.stringMatching(/node node-a may not obtain a certificate for .*payments/),
      });
      expect(logged).toEqual([expect.objectContaining({ node: 'node-a', identity: PAYMENTS, reason: expect.any(String) })]);
    });

    it('an identity no workload has', async () => {
      const { error } = await refusal(async (ca) => ({
        message: { csr: await makeCsr({ uris: ['spiffe://cluster.local/ns/shop/sa/ghost'] }) },
        authorization: await nodeToken(ca),
      }));
      expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('a wrong trust domain, with PERMISSION_DENIED', async () => {
      const { error } = await refusal(async (ca) => ({
        message: { csr: await makeCsr({ uris: ['spiffe://other.example/ns/shop/sa/cart'] }) },
        authorization: await nodeToken(ca),
      }));
      expect(error).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: expect.stringMatching(/trust domain "other\.example"/) });
    });

    it('a bad token, with UNAUTHENTICATED, and the token is not logged', async () => {
      const bad = 'Bearer aW52ZW50ZWQtdG9rZW4tdGhhdC1ub2JvZHktaXNzdWVk';
      const { error, logged, logText } = await refusal(async (ca) => {
        await nodeToken(ca);
        return { message: { csr: await makeCsr({ uris: [CART] }) }, authorization: bad };
      });
      expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(logged).toHaveLength(1);
      expect(logText).not.toContain('aW52ZW50ZWQtdG9rZW4tdGhhdC1ub2JvZHktaXNzdWVk');
    });

    it('a missing token, with UNAUTHENTICATED', async () => {
      const { error } = await refusal(async () => ({ message: { csr: await makeCsr({ uris: [CART] }) } }));
      expect(error).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringMatching(/missing node token/) });
    });

    it('an RSA key, with INVALID_ARGUMENT', async () => {
      const { error } = await refusal(async (ca) => ({
        message: { csr: await makeCsr({ uris: [CART], key: 'rsa' }) },
        authorization: await nodeToken(ca),
      }));
      expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/ECDSA P-256/) });
    });

    it('two SANs, with INVALID_ARGUMENT', async () => {
      const { error } = await refusal(async (ca) => ({
        message: { csr: await makeCsr({ uris: [CART], dnsNames: ['cart.shop.svc.cluster.local'] }) },
        authorization: await nodeToken(ca),
      }));
      expect(error).toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: expect.stringMatching(/exactly one subject alternative name/),
      });
    });

    it('a tampered CSR, with INVALID_ARGUMENT', async () => {
      const { error } = await refusal(async (ca) => ({
        // The proxy on node-a asked for cart; someone on the way rewrote it to another cart-shaped id.
        message: { csr: tamperCsr(await makeCsr({ uris: [CART] }), 'ns/shop', 'ns/shoq') },
        authorization: await nodeToken(ca),
      }));
      expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/signature does not verify/) });
    });
  });
});
