import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_IDENTITY, ECHO_HOST, ECHO_PORT, SERVER_IDENTITY, startMesh, type TestMesh, WEB_PORT } from './fixtures/mesh';
import { exchange, fetchText, httpGet, parsePrometheus, startRelay, sumOf, type TcpRelay } from './fixtures/net';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;
let relay: TcpRelay | undefined;

afterEach(async () => {
  await relay?.close();
  relay = undefined;
  await mesh?.stop();
  mesh = undefined;
});

describe('ztunnel traffic between two nodes', () => {
  it('carries an HTTP request from a client on node A to a service on node B through HBONE', async () => {
    mesh = await startMesh({ net: 10 });
    const reply = await httpGet(mesh.webVip, WEB_PORT, mesh.clientAddress);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('hello from cart');
    // The workload sees the connection come from its node's ztunnel, not from the client directly.
    expect(reply.headers['x-seen-client']).toBe(mesh.b.address);
  });

  it('moves the payload between the nodes only inside TLS', async () => {
    mesh = await startMesh({ net: 10 });
    relay = await startRelay('127.10.3.1', { host: mesh.b.address, port: mesh.b.ztunnel.ports.hbone });
    mesh.routeNodeB(relay.address, relay.port);
    const marker = 'PLAINTEXT-MARKER-7f3a9c';
    const target = mesh.echoVip;
    const client = mesh.clientAddress;
    // The first tunnel through the new route may race the route change on a loaded machine: wait
    // for the exchange to succeed. Every attempt's bytes stay recorded and are checked below.
    const result = await waitFor(
      async () => {
        const attempt = await exchange(target, ECHO_PORT, client, marker);
        return attempt.error === undefined ? attempt : undefined;
      },
      'an exchange through the relay',
      15_000,
    );
    expect(result.reply.toString()).toBe(`echo:${marker}`);
    const onTheWire = relay.clientBytes();
    expect(onTheWire.length).toBeGreaterThan(marker.length);
    expect(onTheWire.includes(marker)).toBe(false);
    // TLS application-data records (content type 23, legacy version 3.3) carry it instead.
    expect(onTheWire.includes(Buffer.from([0x17, 0x03, 0x03]))).toBe(true);
  });

  it('counts connections and bytes on both ztunnels with the identities of both workloads', async () => {
    mesh = await startMesh({ net: 10 });
    const payload = 'x'.repeat(1000);
    const result = await exchange(mesh.echoVip, ECHO_PORT, mesh.clientAddress, payload);
    expect(result.reply.length).toBe(1005);

    const expected = {
      source_workload: 'frontend',
      source_workload_namespace: 'shop',
      source_principal: CLIENT_IDENTITY,
      source_canonical_revision: 'v1',
      destination_workload: 'cart',
      destination_principal: SERVER_IDENTITY,
      destination_service: ECHO_HOST,
      destination_service_name: 'echo',
      destination_service_namespace: 'shop',
      destination_version: 'v2',
      request_protocol: 'tcp',
      connection_security_policy: 'mutual_tls',
    };
    for (const [node, reporter] of [
      [mesh.a, 'source'],
      [mesh.b, 'destination'],
    ] as const) {
      const samples = await waitFor(async () => {
        const s = parsePrometheus((await fetchText(node.metricsUrl())).text);
        return sumOf(s, 'istio_tcp_connections_closed_total', { reporter }) === 1 ? s : undefined;
      }, `${reporter} close counted`);
      const labels = { ...expected, reporter };
      expect(sumOf(samples, 'istio_tcp_connections_opened_total', labels)).toBe(1);
      expect(sumOf(samples, 'istio_tcp_connections_closed_total', { ...labels, response_flags: '-' })).toBe(1);
      expect(sumOf(samples, 'istio_tcp_received_bytes_total', labels)).toBe(1000);
      expect(sumOf(samples, 'istio_tcp_sent_bytes_total', labels)).toBe(1005);
    }
    const access = mesh.b.log.lines.find((l) => l.scope === 'access' && l.direction === 'inbound');
    expect(access).toMatchObject({
      'src.workload': 'frontend-1',
      'src.identity': CLIENT_IDENTITY,
      'dst.workload': 'cart-1',
      'dst.service': ECHO_HOST,
      bytes_sent: 1000,
      bytes_recv: 1005,
    });
    expect(access?.duration).toMatch(/^\d+ms$/);
  });
});
