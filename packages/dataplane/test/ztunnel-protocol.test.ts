import { createHash, randomBytes } from 'node:crypto';
import type { ClientHttp2Session } from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHboneSession, openTunnel } from '../src/hbone/client';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from '../src/hbone/protocol';
import { TlsContexts } from '../src/hbone/tls';
import { acceptCertificate } from '../src/identity/certificate';
import { CLIENT_IDENTITY, ECHO_PORT, SERVER_IDENTITY, startMesh, type TestMesh, TRUST_DOMAIN } from './fixtures/mesh';
import { exchange, fetchText, parsePrometheus, startEchoServer, sumOf, type TestServer } from './fixtures/net';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await mesh?.stop();
  mesh = undefined;
});

async function clientSession(m: TestMesh): Promise<ClientHttp2Session> {
  const { keyPem, chainPem } = await m.ca.issue(CLIENT_IDENTITY);
  const session = connectHboneSession({
    address: m.b.address,
    port: m.b.ztunnel.ports.hbone,
    certificate: acceptCertificate(CLIENT_IDENTITY, keyPem, chainPem),
    contexts: new TlsContexts([m.ca.rootPem]),
    expectedIdentities: [SERVER_IDENTITY],
  });
  cleanups.push(() => session.destroy());
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

function status(session: ClientHttp2Session, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: false });
    stream.once('response', (h) => {
      resolve(h[':status'] ?? 0);
      stream.close();
    });
    stream.once('error', reject);
  });
}

/** A PROXY v1 plaintext client of node B's 15006. */
function plaintextExchange(m: TestMesh, target: string, port: number, payload: string): Promise<{ reply: string; reset: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: m.b.address, port: m.b.ztunnel.ports.inboundPlaintext, allowHalfOpen: true });
    let reply = '';
    let reset = false;
    socket.on('data', (c: Buffer) => {
      reply += c.toString();
    });
    socket.on('error', () => {
      reset = true;
    });
    socket.on('close', () => resolve({ reply, reset }));
    socket.end(`PROXY TCP4 127.12.9.9 ${target} 40000 ${port}\r\n${payload}`);
  });
}

describe('HBONE inbound answers', () => {
  it('answers 400 to requests that are not a CONNECT to a local workload, and 503 when the workload refuses', async () => {
    mesh = await startMesh({ net: 12 });
    const session = await clientSession(mesh);
    const echo = `${mesh.serverAddress}:${mesh.echo.port}`;
    expect(await status(session, { ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': echo })).toBe(400);
    expect(await status(session, { ':method': 'CONNECT', ':authority': `cart.shop:${mesh.echo.port}` })).toBe(400);
    expect(await status(session, { ':method': 'CONNECT', ':authority': `${mesh.serverAddress}:15008` })).toBe(400);
    expect(await status(session, { ':method': 'CONNECT', ':authority': `${mesh.serverAddress}:15006` })).toBe(400);
    expect(await status(session, { ':method': 'CONNECT', ':authority': `${mesh.serverAddress}:${mesh.b.ztunnel.ports.hbone}` })).toBe(400);
    // A workload on another node, or no workload at all: not this ztunnel's to serve.
    expect(await status(session, { ':method': 'CONNECT', ':authority': `${mesh.clientAddress}:${mesh.echo.port}` })).toBe(400);
    expect(await status(session, { ':method': 'CONNECT', ':authority': `127.12.2.77:${mesh.echo.port}` })).toBe(400);

    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen({ host: mesh?.serverAddress, port: 0 }, () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    expect(await status(session, { ':method': 'CONNECT', ':authority': `${mesh.serverAddress}:${closed}` })).toBe(503);
    expect(await status(session, { ':method': 'CONNECT', ':authority': echo })).toBe(200);
    const samples = parsePrometheus((await fetchText(mesh.b.metricsUrl())).text);
    expect(sumOf(samples, 'istio_tcp_connections_closed_total', { reporter: 'destination', response_flags: 'CONNECT' })).toBe(1);
  });

  it('propagates a half-close: the workload answers after the client finished sending', async () => {
    mesh = await startMesh({ net: 12 });
    const session = await clientSession(mesh);
    const stream = openTunnel(session, { authority: `${mesh.serverAddress}:${mesh.echo.port}` });
    const reply = await new Promise<string>((resolve, reject) => {
      let body = '';
      stream.once('response', (h) => {
        if (h[':status'] !== 200) reject(new Error(`status ${h[':status']}`));
        stream.write('part one, ');
        stream.end('part two');
      });
      stream.on('data', (c: Buffer) => {
        body += c.toString();
      });
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
    });
    expect(reply).toBe('echo:part one, part two');
  });

  it('turns a workload reset into a stream reset, and a stream reset into a TCP reset', async () => {
    mesh = await startMesh({ net: 12 });
    const viaVip = await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, 'please RESET now');
    expect(viaVip.error?.code).toBe('ECONNRESET');

    // The other way: the client resets, the workload's connection is reset too.
    const server = await new Promise<{ port: number; outcome: Promise<string>; close(): void }>((resolve) => {
      let report!: (s: string) => void;
      const outcome = new Promise<string>((r) => {
        report = r;
      });
      const s = net.createServer((socket) => {
        socket.on('error', (e: NodeJS.ErrnoException) => report(e.code ?? e.message));
        socket.on('end', () => report('end'));
        socket.resume();
      });
      s.listen({ host: mesh?.serverAddress, port: 0 }, () =>
        resolve({ port: (s.address() as net.AddressInfo).port, outcome, close: () => s.close() }),
      );
    });
    cleanups.push(() => server.close());
    const session = await clientSession(mesh);
    const stream = openTunnel(session, { authority: `${mesh.serverAddress}:${server.port}` });
    await new Promise((resolve) => stream.once('response', resolve));
    stream.write('some bytes');
    stream.on('error', () => undefined);
    stream.destroy(new Error('client failed')); // RST_STREAM without END_STREAM first
    expect(await server.outcome).toBe('ECONNRESET');
  });
});

describe('HBONE flow control', () => {
  it('uses 4 MiB stream and 16 MiB connection windows and carries 16 MiB each way intact', async () => {
    mesh = await startMesh({ net: 12 });
    const session = await clientSession(mesh);
    await waitFor(() => session.remoteSettings.initialWindowSize === STREAM_WINDOW_BYTES, "the server's 4 MiB stream window");
    expect(session.localSettings.initialWindowSize).toBe(STREAM_WINDOW_BYTES);
    await waitFor(() => (session.state.remoteWindowSize ?? 0) >= CONNECTION_WINDOW_BYTES, 'the server to open a 16 MiB connection window');
    expect(session.state.effectiveLocalWindowSize).toBe(CONNECTION_WINDOW_BYTES);

    const payload = randomBytes(16 * 1024 * 1024);
    const started = performance.now();
    const result = await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, payload);
    const seconds = (performance.now() - started) / 1000;
    expect(result.error).toBeUndefined();
    expect(result.reply.length).toBe(payload.length + 5);
    expect(createHash('sha256').update(result.reply.subarray(5)).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    console.log(`bulk: 16 MiB each way through two ztunnels in ${seconds.toFixed(2)} s (${((32 / seconds) * 8).toFixed(0)} Mbit/s total)`);
  });
});

describe('plaintext inbound and passthrough', () => {
  it('accepts plaintext on 15006 while PERMISSIVE and refuses it once STRICT', async () => {
    mesh = await startMesh({ net: 12 });
    const open = await plaintextExchange(mesh, mesh.serverAddress, mesh.echo.port, 'no identity');
    expect(open.reply).toBe('echo:no identity');
    // PeerAuthentication STRICT arrives as the converted DENY policy Istio sends to ztunnel.
    mesh.allow({
      name: 'converted_peer_authentication_default',
      namespace: 'shop',
      scope: 'NAMESPACE',
      action: 'DENY',
      dryRun: false,
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }] }] }] }],
    });
    const strict = await plaintextExchange(mesh, mesh.serverAddress, mesh.echo.port, 'no identity');
    expect(strict.reply).toBe('');
    const line = mesh.b.log.lines.find((l) => l.response_flags === 'DENY');
    expect(line).toMatchObject({ policy: 'shop/converted_peer_authentication_default', direction: 'inbound' });
    // HBONE traffic still passes: it has an identity.
    expect((await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, 'with identity')).reply.toString()).toBe('echo:with identity');
  });

  it('passes traffic to a destination outside the mesh through as plain TCP', async () => {
    mesh = await startMesh({ net: 12 });
    const outside: TestServer = await startEchoServer('127.12.5.50');
    cleanups.push(() => outside.close());
    mesh.state.upsertWorkload({
      uid: 'Kubernetes//Pod/legacy/db-1',
      name: 'db-1',
      namespace: 'legacy',
      addresses: [outside.address],
      node: 'node-b',
      serviceAccount: 'default',
      trustDomain: TRUST_DOMAIN,
      tunnelProtocol: 'NONE',
      services: { 'legacy/db.legacy.svc.cluster.local': [{ servicePort: 5432, targetPort: outside.port }] },
    });
    mesh.state.upsertService({
      name: 'db',
      namespace: 'legacy',
      hostname: 'db.legacy.svc.cluster.local',
      addresses: [{ address: '127.12.1.150', node: 'node-a' }],
      ports: [{ servicePort: 5432, targetPort: 0 }],
    });
    await mesh.a.ztunnel.settled();
    const result = await exchange('127.12.1.150', 5432, mesh.clientAddress, 'select 1');
    expect(result.reply.toString()).toBe('echo:select 1');
    const m = mesh;
    const samples = await waitFor(async () => {
      const s = parsePrometheus((await fetchText(m.a.metricsUrl())).text);
      return sumOf(s, 'istio_tcp_connections_closed_total', { connection_security_policy: 'none' }) === 1 ? s : undefined;
    }, 'passthrough close counted');
    expect(sumOf(samples, 'istio_tcp_received_bytes_total', { destination_service: 'db.legacy.svc.cluster.local' })).toBe(8);
    expect(sumOf(samples, 'istio_tcp_sent_bytes_total', { destination_service: 'db.legacy.svc.cluster.local' })).toBe(13);
    // Plain TCP from node A's ztunnel: node B's ztunnel never saw it.
    expect(mesh.b.log.lines.filter((l) => l.scope === 'access')).toHaveLength(0);
  });
});
