import http2, { type ClientHttp2Session, type SecureServerOptions } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHboneSession, openTunnel } from '../src/hbone/client';
import { serverNameFor, TlsContexts } from '../src/hbone/tls';
import { acceptCertificate, type WorkloadCertificate } from '../src/identity/certificate';
import { CLIENT_IDENTITY, ECHO_PORT, SERVER_IDENTITY, startMesh, type TestMesh } from './fixtures/mesh';
import { exchange, fetchText, parsePrometheus, sumOf } from './fixtures/net';
import { createTestCa, type TestCa } from './fixtures/test-ca';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await mesh?.stop();
  mesh = undefined;
});

async function certificateFrom(ca: TestCa, identity: string): Promise<WorkloadCertificate> {
  const { keyPem, chainPem } = await ca.issue(identity);
  return acceptCertificate(identity, keyPem, chainPem);
}

/** Opens a session to node B as `certificate`, expecting the cart identity; resolves to how it ended. */
function trySession(
  m: TestMesh,
  certificate: WorkloadCertificate,
): Promise<{ connected: boolean; error?: Error; session: ClientHttp2Session }> {
  const session = connectHboneSession({
    address: m.b.address,
    port: m.b.ztunnel.ports.hbone,
    certificate,
    contexts: new TlsContexts([m.ca.rootPem]),
    expectedIdentities: [SERVER_IDENTITY],
  });
  cleanups.push(() => session.destroy());
  return new Promise((resolve) => {
    session.once('connect', () => resolve({ connected: true, session }));
    session.once('error', (error) => resolve({ connected: false, error, session }));
  });
}

/** Sends one CONNECT on a session and resolves to the status (or the error that replaced it). */
function connectStatus(session: ClientHttp2Session, authority: string): Promise<number | string> {
  return new Promise((resolve) => {
    const stream = openTunnel(session, { authority });
    stream.once('response', (headers) => resolve(headers[':status'] ?? 0));
    stream.once('error', (error) => resolve(error.message));
    stream.once('close', () => resolve(`closed (code ${stream.rstCode})`));
  });
}

async function refusedCount(m: TestMesh, reason: string): Promise<number> {
  const samples = parsePrometheus((await fetchText(m.b.metricsUrl())).text);
  return sumOf(samples, 'ambit_ztunnel_connections_refused_total', { reason });
}

describe('ztunnel security', () => {
  it('refuses plaintext and TLS without a client certificate on the HBONE port', async () => {
    mesh = await startMesh({ net: 11 });
    const m = mesh;
    const plain = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: m.b.address, port: m.b.ztunnel.ports.hbone });
      let received = '';
      socket.on('data', (c: Buffer) => {
        received += c.toString('latin1');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(received));
      socket.write('CONNECT 127.11.2.11:80 HTTP/1.1\r\nHost: 127.11.2.11:80\r\n\r\n');
    });
    expect(plain).not.toContain('HTTP/1.1 200');

    const noClientCert = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: m.b.address,
        port: m.b.ztunnel.ports.hbone,
        servername: serverNameFor(SERVER_IDENTITY),
        ca: [m.ca.rootPem],
        ALPNProtocols: ['h2'],
        minVersion: 'TLSv1.3',
        checkServerIdentity: () => undefined,
      });
      socket.on('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve('closed'));
    });
    expect(noClientCert).toMatch(/certificate required|closed|ECONNRESET|socket hang up/i);
    expect(mesh.echo.peers).toHaveLength(0);
  });

  it('refuses a client certificate from another CA', async () => {
    mesh = await startMesh({ net: 11 });
    const foreign = await createTestCa('Some other root');
    const cert = await certificateFrom(foreign, CLIENT_IDENTITY);
    const result = await trySession(mesh, cert);
    if (result.connected) {
      // TLS 1.3 finishes the client's side of the handshake before the server has judged its certificate.
      expect(await connectStatus(result.session, `${mesh.serverAddress}:${mesh.echo.port}`)).not.toBe(200);
    }
    expect(mesh.echo.peers).toHaveLength(0);
    await waitFor(async () => (await refusedCount(mesh as TestMesh, 'tls_error')) >= 1, 'the TLS refusal counted');
  });

  it('refuses a client certificate from the same CA in another trust domain', async () => {
    mesh = await startMesh({ net: 11 });
    const cert = await certificateFrom(mesh.ca, 'spiffe://evil.example/ns/shop/sa/frontend');
    const result = await trySession(mesh, cert);
    if (result.connected) expect(await connectStatus(result.session, `${mesh.serverAddress}:${mesh.echo.port}`)).not.toBe(200);
    expect(mesh.echo.peers).toHaveLength(0);
    expect(await refusedCount(mesh, 'trust_domain_mismatch')).toBe(1);
  });

  it('refuses to send when the destination presents the wrong SPIFFE identity', async () => {
    mesh = await startMesh({ net: 11 });
    const impostorCert = await certificateFrom(mesh.ca, 'spiffe://cluster.local/ns/shop/sa/impostor');
    let streams = 0;
    const received: Buffer[] = [];
    const impostor = http2.createSecureServer({
      key: impostorCert.keyPem,
      cert: impostorCert.certPem,
      ca: [mesh.ca.rootPem],
      requestCert: true,
      minVersion: 'TLSv1.3',
    } satisfies SecureServerOptions);
    impostor.on('stream', (stream) => {
      streams++;
      stream.on('data', (c: Buffer) => received.push(c));
      stream.respond({ ':status': 200 });
    });
    impostor.on('error', () => undefined);
    await new Promise<void>((resolve) => impostor.listen({ host: '127.11.4.1', port: 0 }, resolve));
    cleanups.push(() => new Promise<void>((resolve) => impostor.close(() => resolve())));
    cleanups.push(() => {
      for (const s of [impostor]) s.removeAllListeners('stream');
    });
    mesh.routeNodeB('127.11.4.1', (impostor.address() as net.AddressInfo).port);

    const secret = 'SECRET-FOR-CART-ONLY';
    const result = await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, secret);
    expect(result.reply.toString()).not.toContain('echo:');
    expect(streams).toBe(0);
    expect(Buffer.concat(received).includes(secret)).toBe(false);
    const line = await waitFor(
      () => mesh?.a.log.lines.find((l) => l.scope === 'access' && l.response_flags === 'CONNECT'),
      'source access log',
    );
    expect(String(line.error)).toContain('spiffe://cluster.local/ns/shop/sa/impostor');
    expect(String(line.error)).toContain(SERVER_IDENTITY);
  });

  it('answers 401 to a connection a DENY policy matches, and logs the policy', async () => {
    mesh = await startMesh({ net: 11 });
    mesh.allow({
      name: 'deny-frontend',
      namespace: 'shop',
      scope: 'NAMESPACE',
      action: 'DENY',
      dryRun: false,
      rules: [{ clauses: [{ matches: [{ principals: [{ exact: 'cluster.local/ns/shop/sa/frontend' }] }] }] }],
    });
    const viaVip = await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, 'hello');
    expect(viaVip.reply.toString()).toBe('');
    expect(mesh.echo.peers).toHaveLength(0);

    const cert = await certificateFrom(mesh.ca, CLIENT_IDENTITY);
    const direct = await trySession(mesh, cert);
    expect(direct.connected).toBe(true);
    expect(await connectStatus(direct.session, `${mesh.serverAddress}:${mesh.echo.port}`)).toBe(401);

    const denied = mesh.b.log.lines.filter((l) => l.scope === 'access' && l.response_flags === 'DENY');
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(denied[0]).toMatchObject({ policy: 'shop/deny-frontend', 'src.identity': CLIENT_IDENTITY, direction: 'inbound' });
    expect(String(denied[0]?.error)).toContain('shop/deny-frontend');
    const samples = parsePrometheus((await fetchText(mesh.b.metricsUrl())).text);
    expect(sumOf(samples, 'istio_tcp_connections_closed_total', { reporter: 'destination', response_flags: 'DENY' })).toBe(2);
    const sourceSide = await waitFor(
      () => mesh?.a.log.lines.find((l) => l.scope === 'access' && l.response_flags === 'DENY'),
      'source deny log',
    );
    expect(String(sourceSide.error)).toContain('401');
  });

  it('refuses connections to a service address from an address that is not a local workload', async () => {
    mesh = await startMesh({ net: 11 });
    const result = await exchange(mesh.echoVip, ECHO_PORT, '127.11.1.99', 'who am I');
    expect(result.reply.toString()).toBe('');
    expect(mesh.echo.peers).toHaveLength(0);
    const samples = parsePrometheus((await fetchText(mesh.a.metricsUrl())).text);
    expect(sumOf(samples, 'ambit_ztunnel_connections_refused_total', { reason: 'unknown_source' })).toBe(1);
  });
});
