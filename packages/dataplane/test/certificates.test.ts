import { X509Certificate } from 'node:crypto';
import { AMBIT_PROTO_DIR } from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { createIstioCertificateProvider, type IstioCertificateProvider } from '../src/identity/istio-ca-client';
import { CertificateManager } from '../src/identity/manager';
import { createTestCa, fakeProvider } from './fixtures/test-ca';
import { waitFor } from './fixtures/wait';
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from './fixtures/x509';

const IDENTITY = 'spiffe://cluster.local/ns/shop/sa/cart';
const FAST_BACKOFF = { initialMs: 20, multiplier: 2, jitter: 0.2, maxMs: 100 };
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function manager(options: ConstructorParameters<typeof CertificateManager>[0]): CertificateManager {
  const m = new CertificateManager(options);
  cleanups.push(() => m.stop());
  return m;
}

describe('certificate manager', () => {
  it('asks the CA with a P-256 CSR whose only name is the SPIFFE URI, and holds the key and chain', async () => {
    const ca = await createTestCa();
    const csrs: string[] = [];
    const provider = fakeProvider(ca);
    const certificates = manager({
      provider: {
        fetch(identity, csrPem) {
          csrs.push(csrPem);
          return provider.fetch(identity, csrPem);
        },
      },
    });
    const cert = await certificates.acquire(IDENTITY);
    expect(csrs).toHaveLength(1);
    const csr = new Pkcs10CertificateRequest(csrs[0] as string);
    const names = csr.getExtensions('2.5.29.17').flatMap((e) => new SubjectAlternativeNameExtension(e.rawData).names.items);
    expect(names.map((n) => [n.type, n.value])).toEqual([['url', IDENTITY]]);
    expect(csr.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(await csr.verify()).toBe(true);

    const leaf = new X509Certificate(cert.chainPem[0] as string);
    expect(leaf.subjectAltName).toBe(`URI:${IDENTITY}`);
    expect(cert.serialNumber).toBe(leaf.serialNumber);
    expect(cert.certPem).not.toContain(ca.rootPem.trim());
    expect(certificates.get(IDENTITY)).toBe(cert);
  });

  it('retries a failing CA with backoff and keeps using the still-valid certificate meanwhile', async () => {
    const ca = await createTestCa();
    const provider = fakeProvider(ca, 2);
    const certificates = manager({ provider, backoff: FAST_BACKOFF });
    certificates.track([IDENTITY]);
    const first = await waitFor(() => certificates.get(IDENTITY), 'first certificate');
    provider.failNext(1_000);
    // Renewal is due after 1 s; it fails, and the first certificate keeps serving.
    await waitFor(() => certificates.status()[0]?.lastError, 'a failed renewal', 3_000);
    expect(certificates.get(IDENTITY)).toBe(first);
    const failedCalls = provider.calls.get(IDENTITY) ?? 0;
    await waitFor(() => (provider.calls.get(IDENTITY) ?? 0) >= failedCalls + 3, 'retries');
    expect(certificates.get(IDENTITY)).toBe(first);
    provider.failNext(0);
    const renewed = await waitFor(
      () => {
        const c = certificates.get(IDENTITY);
        return c !== first ? c : undefined;
      },
      'a renewed certificate',
      3_000,
    );
    expect(renewed?.serialNumber).not.toBe(first.serialNumber);
    expect(certificates.status()[0]).toMatchObject({ state: 'valid', rotations: 1 });
    expect(certificates.status()[0]?.lastError).toBeUndefined();
  });

  it('rejects a chain for another identity', async () => {
    const ca = await createTestCa();
    const certificates = manager({
      provider: { fetch: async () => (await ca.issue('spiffe://cluster.local/ns/shop/sa/other')).chainPem },
      backoff: FAST_BACKOFF,
    });
    await expect(certificates.acquire(IDENTITY)).rejects.toThrow(/not for spiffe:\/\/cluster.local\/ns\/shop\/sa\/cart/);
    expect(certificates.get(IDENTITY)).toBeUndefined();
  });
});

describe('Istio CA client', () => {
  it('calls IstioCertificateService/CreateCertificate with the node token and the impersonated identity', async () => {
    const ca = await createTestCa();
    const seen: { authorization?: string; impersonated?: string; validity?: number }[] = [];
    const definition = protoLoader.loadSync('istio/v1/auth/ca.proto', {
      includeDirs: [AMBIT_PROTO_DIR],
      longs: Number,
      defaults: false,
      oneofs: true,
    });
    const service = (
      grpc.loadPackageDefinition(definition) as unknown as {
        istio: { v1: { auth: { IstioCertificateService: grpc.ServiceClientConstructor } } };
      }
    ).istio.v1.auth.IstioCertificateService.service;
    const server = new grpc.Server();
    server.addService(service, {
      CreateCertificate(
        call: grpc.ServerUnaryCall<
          { csr: string; validityDuration?: number; metadata?: { fields?: Record<string, { stringValue?: string }> } },
          unknown
        >,
        callback: grpc.sendUnaryData<{ certChain: string[] }>,
      ) {
        const authorization = String(call.metadata.get('authorization')[0] ?? '');
        seen.push({
          authorization,
          impersonated: call.request.metadata?.fields?.ImpersonatedIdentity?.stringValue,
          validity: call.request.validityDuration,
        });
        if (authorization !== 'Bearer node-a-token') {
          callback({ code: grpc.status.PERMISSION_DENIED, details: 'node node-b may not have certificates for workloads on node-a' });
          return;
        }
        ca.signCsr(call.request.csr, 600).then((chain) => callback(null, { certChain: chain }), callback);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.16.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    cleanups.push(() => server.forceShutdown());

    const good: IstioCertificateProvider = createIstioCertificateProvider({
      address: `127.16.0.1:${port}`,
      token: 'node-a-token',
      validitySeconds: 600,
    });
    cleanups.push(() => good.close());
    const certificates = manager({ provider: good });
    const cert = await certificates.acquire(IDENTITY);
    expect(cert.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(600_000);
    expect(seen[0]).toEqual({ authorization: 'Bearer node-a-token', impersonated: IDENTITY, validity: 600 });

    const bad = createIstioCertificateProvider({ address: `127.16.0.1:${port}`, token: () => 'node-b-token' });
    cleanups.push(() => bad.close());
    await expect(bad.fetch(IDENTITY, 'csr')).rejects.toMatchObject({
      code: 'PermissionDenied',
      message: expect.stringContaining('node-b may not'),
    });
  });
});
