/**
 * The control plane's TLS port (Istio's 15012): the same ADS and CA services as the plaintext
 * port, behind a certificate from the control plane's own CA. Checked by grpc-js clients that trust
 * `<dataDir>/ca/root-cert.pem` (or another root), by openssl s_client, and by Node's TLS client.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { decodeDeltaDiscoveryResponse, encodeDeltaDiscoveryRequest, jsonToStruct, TypeUrl } from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateProto } from '../src/ca/index';
import { loadOrCreateRoot, ROOT_CERT_FILE } from '../src/ca/root';
import { makeCsr } from '../src/ca/test-fixtures';
import { SubjectAlternativeNameExtension, X509Certificate } from '../src/ca/x509';
import { type ControlPlane, startControlPlane } from '../src/control-plane';

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const CART_UID = 'Kubernetes//Pod/shop/cart-0';
const ISTIOD_NAME = 'istiod.istio-system.svc';
const DELTA_ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

type CertificateClient = grpc.Client & {
  CreateCertificate(
    request: { csr: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { certChain: string[] }) => void,
  ): void;
};

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function startMeshControlPlane(options: { servingCertificateTtlSeconds?: number } = {}) {
  const dataDir = await tempDir('ambit-cp-tls-');
  const controlPlane = await startControlPlane({
    dataDir,
    xdsPort: 0,
    secureXdsPort: 0,
    monitoringPort: 0,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  cleanups.push(() => controlPlane.stop());
  return { controlPlane, dataDir, rootCert: await readFile(join(dataDir, 'ca', ROOT_CERT_FILE)) };
}

function certificateClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): CertificateClient {
  const proto = grpc.loadPackageDefinition(certificateProto()) as unknown as {
    istio: { v1: { auth: { IstioCertificateService: grpc.ServiceClientConstructor } } };
  };
  const client = new proto.istio.v1.auth.IstioCertificateService(address, credentials, options) as unknown as CertificateClient;
  cleanups.push(() => client.close());
  return client;
}

function createCertificate(client: CertificateClient, csr: string, token: string): Promise<string[]> {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client.CreateCertificate({ csr }, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response?.certChain ?? []),
    ),
  );
}

interface SClientResult {
  exitCode: number;
  output: string;
}

/** `openssl s_client` against the port: a TLS client nobody here wrote. */
function opensslSClient(port: number, caFile: string, extra: string[]): Promise<SClientResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, '-alpn', 'h2', '-showcerts', ...extra],
      { timeout: 15_000 },
      (error, stdout, stderr) =>
        resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
    child.stdin?.end();
  });
}

/** The certificate a fresh TLS connection is served, verified by Node's TLS client against `ca`. */
function servedCertificate(port: number, ca: Buffer): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'], servername: ISTIOD_NAME }, () => {
      const certificate = socket.getPeerCertificate();
      socket.destroy();
      resolve(certificate);
    });
    socket.on('error', reject);
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the control plane TLS port', () => {
  let controlPlane: ControlPlane;
  let dataDir: string;
  let rootCert: Buffer;
  let token: string;

  beforeAll(async () => {
    ({ controlPlane, dataDir, rootCert } = await startMeshControlPlane());
    controlPlane.store.apply(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'cart-0', namespace: 'shop', labels: { app: 'cart' } },
          spec: { nodeName: 'node-a', serviceAccountName: 'cart', containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] },
        },
      ],
      { author: 'test' },
    );
    controlPlane.store.updateStatus(
      { kind: 'Pod', namespace: 'shop', name: 'cart-0' },
      { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True' }] },
    );
    token = await controlPlane.ca.nodeTokens.issueNodeToken('node-a');
  });

  it('issues a workload certificate through CreateCertificate to a client trusting root-cert.pem', async () => {
    expect(controlPlane.secureXdsPort).not.toBe(controlPlane.xds.port);
    const client = certificateClient(`127.0.0.1:${controlPlane.secureXdsPort}`, grpc.credentials.createSsl(rootCert));
    const chain = await createCertificate(client, await makeCsr({ uris: [CART] }), token);

    expect(chain.at(-1)).toBe(rootCert.toString());
    expect(new X509Certificate(chain[0] as string).getExtension(SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([
      { type: 'url', value: CART },
    ]);
  });

  it('runs a delta ADS stream over TLS for a client that checks the name istiod.istio-system.svc', async () => {
    const channel = new grpc.Client(`127.0.0.1:${controlPlane.secureXdsPort}`, grpc.credentials.createSsl(rootCert), {
      'grpc.ssl_target_name_override': ISTIOD_NAME,
      'grpc.default_authority': ISTIOD_NAME,
    });
    cleanups.push(() => channel.close());
    const passThrough = (bytes: Buffer) => bytes;
    const call = channel.makeBidiStreamRequest(DELTA_ADS, passThrough, passThrough, new grpc.Metadata());
    cleanups.push(() => call.cancel());
    call.on('error', () => undefined);
    const firstResponse = new Promise<Buffer>((resolve, reject) => {
      call.once('data', resolve);
      call.once('status', (status: grpc.StatusObject) => reject(new Error(`stream ended: ${status.details}`)));
    });
    const node = { id: 'ztunnel-tls', metadata: jsonToStruct({ AMBIT_PROXY_KIND: 'ztunnel', NODE_NAME: 'node-a' }) };
    call.write(encodeDeltaDiscoveryRequest({ node, typeUrl: TypeUrl.address }));

    const response = decodeDeltaDiscoveryResponse(await firstResponse);
    expect(response.typeUrl).toBe(TypeUrl.address);
    expect(response.resources.map((resource) => resource.name)).toContain(CART_UID);

    call.write(encodeDeltaDiscoveryRequest({ typeUrl: TypeUrl.address, responseNonce: response.nonce }));
    const addressStatus = () =>
      controlPlane.xds
        .listProxies()
        .find((proxy) => proxy.id === 'ztunnel-tls')
        ?.types.find((type) => type.typeUrl === TypeUrl.address);
    await until(() => addressStatus()?.acks === 1, 'the ACK to reach the control plane');
    expect(addressStatus()?.versionAcked).toBe(response.systemVersionInfo);
    expect(addressStatus()?.lastNack).toBeUndefined();
  });

  it('refuses a client that trusts another root', async () => {
    const other = await startMeshControlPlane();
    const client = certificateClient(`127.0.0.1:${controlPlane.secureXdsPort}`, grpc.credentials.createSsl(other.rootCert));
    const error = await createCertificate(client, await makeCsr({ uris: [CART] }), token).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toMatch(/certificate/i);
  });

  it('keeps serving the same services in plaintext on the xDS port', async () => {
    const client = certificateClient(`127.0.0.1:${controlPlane.xds.port}`, grpc.credentials.createInsecure());
    const chain = await createCertificate(client, await makeCsr({ uris: [CART] }), token);
    expect(chain.at(-1)).toBe(rootCert.toString());
  });

  it('presents a chain that openssl s_client verifies against root-cert.pem, by IP and by name, with ALPN h2', async () => {
    const caFile = join(dataDir, 'ca', ROOT_CERT_FILE);
    const byIp = await opensslSClient(controlPlane.secureXdsPort, caFile, ['-verify_ip', '127.0.0.1', '-verify_return_error']);
    expect(byIp.output).toMatch(/Certificate chain\n 0 s:\s*\n\s+i:O = cluster\.local/);
    expect(byIp.output).toMatch(/Verify return code: 0 \(ok\)/);
    expect(byIp.output).toMatch(/ALPN protocol: h2/);
    expect(byIp.exitCode).toBe(0);

    const byName = await opensslSClient(controlPlane.secureXdsPort, caFile, [
      '-servername',
      ISTIOD_NAME,
      '-verify_hostname',
      ISTIOD_NAME,
      '-verify_return_error',
    ]);
    expect(byName.output).toMatch(/Verify return code: 0 \(ok\)/);
    expect(byName.exitCode).toBe(0);

    const wrongName = await opensslSClient(controlPlane.secureXdsPort, caFile, ['-verify_hostname', 'istiod.elsewhere.svc']);
    expect(wrongName.output).toMatch(/Verify return code: 62 \(hostname mismatch\)/);
  });

  it('fails openssl s_client verification against another root', async () => {
    const otherDir = await tempDir('ambit-other-root-');
    await loadOrCreateRoot(otherDir, 'cluster.local');
    const result = await opensslSClient(controlPlane.secureXdsPort, join(otherDir, 'ca', ROOT_CERT_FILE), []);
    expect(result.output).toMatch(/Certificate chain\n 0 s:/);
    expect(result.output).not.toMatch(/Verify return code: 0 \(ok\)/);
    expect(result.output).toMatch(/Verify return code: (19|20|21) /);
  });
});

describe('the TLS port certificate renewal', () => {
  it('renews the certificate before it expires; new connections get the new one', async () => {
    const { controlPlane, rootCert } = await startMeshControlPlane({ servingCertificateTtlSeconds: 4 });
    const first = controlPlane.servingCertificate.current();
    const served = await servedCertificate(controlPlane.secureXdsPort, rootCert);
    expect(served.serialNumber.toLowerCase()).toBe(first.serialNumber);

    const renewed = new Promise<string>((resolve) => controlPlane.servingCertificate.onRenewed((cert) => resolve(cert.serialNumber)));
    const serial = await renewed;
    // Renewed at half the lifetime: well before the old one expired.
    expect(Date.now()).toBeLessThan(first.notAfter.getTime() - 1000);
    expect(serial).not.toBe(first.serialNumber);
    expect((await servedCertificate(controlPlane.secureXdsPort, rootCert)).serialNumber.toLowerCase()).toBe(serial);
  });
});
