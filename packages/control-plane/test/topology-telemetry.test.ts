// From proxies' metrics endpoints to the topology and the mTLS audit: two ztunnels and a waypoint
// serve Istio-style expositions over HTTP on 127.0.0.1, the embedded scraper reads them, and the
// graph is built from its answers — now, and as it was earlier (replay).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTelemetry, type ScrapeTarget, toPromQL } from '../src/telemetry/index';
import { buildMtlsAudit, buildTopology, queryTopologyTelemetry, topologyQueries } from '../src/topology/index';
import {
  bookinfoSnapshot,
  DETAILS,
  hostname,
  type Peer,
  PRODUCTPAGE,
  principal,
  REVIEWS_V1,
  WAYPOINT,
} from '../src/topology/test-fixtures';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Serves `body(n)` on its n-th scrape. */
async function proxy(body: (n: number) => string): Promise<string> {
  let scrapes = 0;
  const server: Server = createServer((_req, res) => {
    scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body(scrapes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats/prometheus`;
}

/** Labels in the dataplane's order and style (`name="value",` pairs). */
function side(prefix: 'source' | 'destination', p: Peer | undefined): string {
  const v = (value: string | undefined) => value ?? 'unknown';
  return (
    `${prefix}_workload="${v(p?.workload)}",${prefix}_canonical_service="${v(p?.app)}",${prefix}_canonical_revision="${v(p?.version)}",` +
    `${prefix}_workload_namespace="${v(p?.namespace)}",${prefix}_principal="${p ? principal(p) : 'unknown'}",${prefix}_app="${v(p?.app)}",` +
    `${prefix}_version="${v(p?.version)}",${prefix}_cluster="Kubernetes",`
  );
}

function service(name: string | undefined): string {
  return name
    ? `destination_service="${hostname(name)}",destination_service_namespace="demo",destination_service_name="${name}",`
    : 'destination_service="unknown",destination_service_namespace="unknown",destination_service_name="unknown",';
}

function tcpLines(reporter: string, from: Peer | undefined, svc: string | undefined, to: Peer, security: string, bytes: number): string {
  const labels = `reporter="${reporter}",${side('source', from)}${service(svc)}${side('destination', to)}request_protocol="tcp",response_flags="-",connection_security_policy="${security}"`;
  return [
    `istio_tcp_connections_opened_total{${labels}} ${Math.floor(bytes / 10_000)}`,
    `istio_tcp_sent_bytes_total{${labels}} ${bytes}`,
    `istio_tcp_received_bytes_total{${labels}} ${bytes / 2}`,
  ].join('\n');
}

const BOUNDS = ['0.5', '1', '5', '10', '25', '50', '100', '250', '500', '1000', '+Inf'];

/** The waypoint's requests (200s from the start, 503s from scrape 10) and their duration histogram. */
function waypointBody(n: number): string {
  const peers = `reporter="waypoint",${side('source', PRODUCTPAGE)}${service('reviews')}${side('destination', REVIEWS_V1)}`;
  const ok = `${peers}request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="mutual_tls"`;
  const failed = `${peers}request_protocol="http",response_code="503",grpc_response_status="",response_flags="UF",connection_security_policy="mutual_tls"`;
  const lines = ['# HELP istio_requests_total Total requests handled by an Istio proxy', '# TYPE istio_requests_total counter'];
  lines.push(`istio_requests_total{${ok}} ${n * 50}`); // 10/s
  if (n >= 10) lines.push(`istio_requests_total{${failed}} ${(n - 9) * 5}`); // 1/s from scrape 10
  lines.push('# TYPE istio_request_duration_milliseconds_bucket counter');
  // Every request takes 5–10 ms: nothing below le="5", all by le="10".
  for (const le of BOUNDS) {
    const count = Number(le) < 10 && le !== '+Inf' ? 0 : n * 50;
    lines.push(`istio_request_duration_milliseconds_bucket{${ok},le="${le}"} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('topology from scraped proxies', () => {
  it('builds the graph and the audit from what the proxies served, now and earlier', async () => {
    // node-2's ztunnel: productpage's connections to the waypoint, and a plaintext client of details from outside the mesh.
    const ztunnel2 = await proxy(
      (n) =>
        `${tcpLines('source', PRODUCTPAGE, 'reviews', WAYPOINT, 'mutual_tls', n * 20_000)}\n` +
        `${tcpLines('destination', undefined, undefined, DETAILS, 'none', n * 1_000)}\n`,
    );
    // node-1's ztunnel: the waypoint's connections to reviews-v1.
    const ztunnel1 = await proxy((n) => `${tcpLines('destination', WAYPOINT, 'reviews', REVIEWS_V1, 'mutual_tls', n * 15_000)}\n`);
    const waypoint = await proxy(waypointBody);
    let now = 1_700_000_000_000;
    const telemetry = new EmbeddedTelemetry({
      now: () => now,
      targets: (): ScrapeTarget[] => [
        { name: 'ztunnel-node-1', url: ztunnel1, labels: { proxy: 'ztunnel', node: 'node-1' } },
        { name: 'ztunnel-node-2', url: ztunnel2, labels: { proxy: 'ztunnel', node: 'node-2' } },
        { name: 'waypoint-demo', url: waypoint, labels: { proxy: 'waypoint', waypoint: 'demo/waypoint' } },
      ],
    });
    closers.push(() => telemetry.stop());
    for (let i = 0; i < 24; i++) {
      await telemetry.scrapeOnce();
      now += 5_000;
    }
    const last = now - 5_000;
    const snapshot = bookinfoSnapshot({ waypoint: true });

    const current = await queryTopologyTelemetry(telemetry, { windowSeconds: 30, at: last });
    const graph = buildTopology(current, snapshot, { showZtunnels: true });
    expect(graph.edges.map((e) => e.id)).toEqual([
      'svc:demo/reviews->wl:demo/reviews-v1',
      'unknown->wl:demo/details-v1',
      'wl:demo/productpage-v1->svc:demo/reviews',
    ]);
    const client = graph.edges.find((e) => e.id === 'wl:demo/productpage-v1->svc:demo/reviews');
    expect(client).toMatchObject({
      protocol: 'http',
      requestsPerSecond: 11,
      errorRate: 0.091,
      latencyMs: { p50: 7.5, p95: 9.75, p99: 9.95 },
      tcp: { sentBytesPerSecond: 4000, receivedBytesPerSecond: 2000 },
      security: { policy: 'mutual_tls', sourcePrincipals: [principal(PRODUCTPAGE)], destinationPrincipals: [principal(REVIEWS_V1)] },
      health: 'degraded',
      waypoint: 'demo/waypoint',
    });
    expect(graph.edges.find((e) => e.id === 'svc:demo/reviews->wl:demo/reviews-v1')?.tcp?.sentBytesPerSecond).toBe(3000);
    expect(graph.edges.find((e) => e.id === 'unknown->wl:demo/details-v1')?.security.policy).toBe('none');
    expect(graph.nodes.filter((n) => n.kind === 'ztunnel').map((n) => [n.id, n.scrape])).toEqual([
      ['zt:node-1', { up: true }],
      ['zt:node-2', { up: true }],
    ]);

    // Replay: 75 s earlier there were no 503s yet.
    const earlier = buildTopology(await queryTopologyTelemetry(telemetry, { windowSeconds: 30, at: last - 75_000 }), snapshot);
    expect(earlier.timestamp).toBe(last - 75_000);
    expect(earlier.edges.find((e) => e.id === 'wl:demo/productpage-v1->svc:demo/reviews')).toMatchObject({
      requestsPerSecond: 10,
      errorRate: 0,
      health: 'healthy',
    });

    const audit = buildMtlsAudit(current, snapshot);
    expect(audit.edges.map((e) => [e.id, e.policy])).toEqual([
      ['unknown->wl:demo/details-v1', 'none'],
      ['wl:demo/productpage-v1->wl:demo/reviews-v1', 'mutual_tls'],
    ]);
    expect(audit.findings.map((f) => f.code)).toEqual(['PlaintextIntoMesh', 'OutsideMeshClient', 'PermissiveWhereStrictExpected']);
  });

  it('asks the same questions a Prometheus back end would, in PromQL', () => {
    const q = topologyQueries(60);
    expect(toPromQL(q.requests)).toMatch(
      /^sum by \(source_workload, source_workload_namespace, .*, response_flags\) \(rate\(istio_requests_total\{reporter="waypoint"\}\[60s\]\)\)$/,
    );
    expect(toPromQL(q.durationBuckets)).toMatch(
      /^sum by \(le, source_workload, .*\) \(rate\(istio_request_duration_milliseconds_bucket\{reporter="waypoint"\}\[60s\]\)\)$/,
    );
    expect(toPromQL(q.tcpSent)).toMatch(
      /^sum by \(reporter, .*connection_security_policy\) \(rate\(istio_tcp_sent_bytes_total\{reporter=~"source\|destination"\}\[60s\]\)\)$/,
    );
  });
});
