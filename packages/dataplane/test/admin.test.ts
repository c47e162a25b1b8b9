import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer } from '../src/admin/admin-server';
import { type FlowPage, FlowRing } from '../src/flows/flow-ring';
import { CertificateManager } from '../src/identity/manager';
import { ProxyState } from '../src/state/proxy-state';
import { CLIENT_IDENTITY, SERVER_IDENTITY, startMesh, type TestMesh, TRUST_DOMAIN } from './fixtures/mesh';
import { fetchText } from './fixtures/net';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;

afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
});

describe('ztunnel admin, metrics and readiness servers', () => {
  it('serves config_dump, certs and logging on 127.0.0.1 only', async () => {
    mesh = await startMesh({ net: 15 });
    const a = mesh.a;
    const dump = JSON.parse((await fetchText(a.adminUrl('/config_dump'))).text) as Record<string, unknown[]>;
    expect(dump.workloads?.map((w) => (w as { uid: string }).uid)).toContain('Kubernetes//Pod/shop/cart-1');
    expect(dump.services).toHaveLength(2);
    expect(dump.nodes).toHaveLength(2);
    expect(dump.policies).toEqual([]);

    const certs = JSON.parse((await fetchText(a.adminUrl('/certs'))).text) as { certificates: Record<string, unknown>[] };
    expect(certs.certificates).toHaveLength(1);
    const [cert] = certs.certificates;
    expect(cert).toMatchObject({
      identity: CLIENT_IDENTITY,
      state: 'valid',
      serialNumber: a.certificates.get(CLIENT_IDENTITY)?.serialNumber,
    });
    expect(cert?.expirySeconds).toBeGreaterThan(3500);
    expect(new Date(String(cert?.notAfter)).getTime()).toBeGreaterThan(Date.now());

    expect(JSON.parse((await fetchText(a.adminUrl('/logging'))).text)).toEqual({ level: 'info' });
    expect((await fetchText(a.adminUrl('/logging?level=debug'))).status).toBe(405);
    expect((await fetchText(a.adminUrl('/logging?level=loud'), { method: 'POST' })).status).toBe(400);
    expect(JSON.parse((await fetchText(a.adminUrl('/logging?level=debug'), { method: 'POST' })).text)).toEqual({ level: 'debug' });
    expect(JSON.parse((await fetchText(a.adminUrl('/logging'))).text)).toEqual({ level: 'debug' });

    // Not reachable on the node address: admin is loopback-only.
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect({ host: a.address, port: a.ztunnel.ports.admin });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('binds admin to another loopback address when told (one per node on one machine), and never off loopback', async () => {
    mesh = await startMesh({ net: 15, ztunnel: { adminHost: '127.15.1.1' } });
    const port = mesh.a.ztunnel.ports.admin;
    const dump = JSON.parse((await fetchText(`http://127.15.1.1:${port}/config_dump`)).text) as { node: string };
    expect(dump.node).toBe('node-a');
    await expect(fetchText(`http://127.0.0.1:${port}/config_dump`)).rejects.toThrow();

    const certificates = new CertificateManager({ provider: { fetch: () => Promise.reject(new Error('unused')) } });
    const admin = (host: string) =>
      startAdminServer({ host, port: 0, node: 'node-a', state: new ProxyState(), certificates, loggers: [], quit: () => undefined });
    await expect(admin('0.0.0.0')).rejects.toThrow(/admin address must be loopback, not 0.0.0.0/);
    await expect(admin('10.1.2.3')).rejects.toThrow(/must be loopback/);
  });

  it('pages /debug/flows by sequence number: records sharing a millisecond each come once, with the boot id of this run', async () => {
    const flows = new FlowRing('ztunnel/node-a', 100);
    const certificates = new CertificateManager({ provider: { fetch: () => Promise.reject(new Error('unused')) } });
    const admin = await startAdminServer({
      port: 0,
      node: 'node-a',
      state: new ProxyState(),
      certificates,
      loggers: [],
      quit: () => undefined,
      flows,
    });
    try {
      const read = async (after: number) =>
        JSON.parse((await fetchText(`http://127.0.0.1:${admin.port}/debug/flows?after=${after}`)).text) as FlowPage;
      const connect = (port: number) =>
        flows.recordConnection(undefined, '127.15.0.1', undefined, '127.15.0.2', port, undefined, true, undefined, -1);
      for (let port = 1; port <= 50; port++) connect(port);
      const first = await read(0);
      expect(first).toMatchObject({ proxy: 'ztunnel/node-a', boot: flows.boot, first: 1, last: 50 });
      expect(first.flows.map((r) => r.destinationPort)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
      connect(51);
      const next = await read(first.last);
      expect(next).toMatchObject({ first: 51, last: 51 });
      expect(next.flows.map((r) => r.destinationPort)).toEqual([51]);
      expect((await read(51)).flows).toEqual([]);
    } finally {
      await admin.close();
    }
  });

  it('serves Prometheus text on /metrics and /stats/prometheus', async () => {
    mesh = await startMesh({ net: 15 });
    const metrics = await fetchText(mesh.b.metricsUrl());
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('# TYPE istio_tcp_connections_opened_total counter');
    expect(metrics.text).toContain('ambit_ztunnel_hbone_sessions 0');
    const stats = await fetchText(`http://${mesh.b.address}:${mesh.b.ztunnel.ports.metrics}/stats/prometheus`);
    expect(stats.text).toBe(metrics.text);
  });

  it('is ready only with a certificate for every local workload', async () => {
    mesh = await startMesh({ net: 15 });
    const a = mesh.a;
    const ready = `http://${a.address}:${a.ztunnel.ports.readiness}/healthz/ready`;
    expect((await fetchText(ready)).status).toBe(200);
    a.provider.failNext(1_000);
    mesh.state.upsertWorkload({
      uid: 'Kubernetes//Pod/shop/reviews-1',
      name: 'reviews-1',
      namespace: 'shop',
      addresses: ['127.15.1.12'],
      node: 'node-a',
      serviceAccount: 'reviews',
      trustDomain: TRUST_DOMAIN,
    });
    const notReady = await waitFor(async () => {
      const r = await fetchText(ready);
      return r.status === 503 && r.text.includes('CA unavailable') ? r : undefined;
    }, 'readiness to report the failing certificate');
    expect(notReady.text).toContain(`spiffe://${TRUST_DOMAIN}/ns/shop/sa/reviews`);
    a.provider.failNext(0);
    await waitFor(async () => (await fetchText(ready)).status === 200, 'ready again after the CA recovers', 10_000);
    expect(mesh.b.certificates.get(SERVER_IDENTITY)).toBeDefined();
  });

  it('shuts down on POST /quitquitquit', async () => {
    mesh = await startMesh({ net: 15 });
    const b = mesh.b;
    expect((await fetchText(b.adminUrl('/quitquitquit'))).status).toBe(405);
    expect((await fetchText(b.adminUrl('/quitquitquit'), { method: 'POST' })).status).toBe(200);
    await b.ztunnel.stopped;
    const hbone = await new Promise<string>((resolve) => {
      const s = net.connect({ host: b.address, port: b.ztunnel.ports.hbone });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
    });
    expect(hbone).toBe('ECONNREFUSED');
  });
});
