import { describe, expect, it } from 'vitest';
import type { VectorSample } from '../telemetry/index';
import { buildTopology } from './build';
import type { TopologyEdge, TopologyGraph } from './graph';
import {
  bookinfoSnapshot,
  DETAILS,
  durationBuckets,
  PRODUCTPAGE,
  principal,
  RATINGS,
  REVIEWS_V1,
  REVIEWS_V2,
  requests,
  tcp,
  topologyTelemetry,
  WAYPOINT,
  waypointHop,
} from './test-fixtures';

const plain = bookinfoSnapshot();
const withWaypoint = bookinfoSnapshot({ waypoint: true });

function edge(graph: TopologyGraph, id: string): TopologyEdge {
  const found = graph.edges.find((e) => e.id === id);
  if (!found) throw new Error(`no edge ${id}; edges: ${graph.edges.map((e) => e.id).join(', ')}`);
  return found;
}

const trafficEdges = (graph: TopologyGraph) => graph.edges.map((e) => e.id);

describe('buildTopology: L4 from ztunnels', () => {
  it('counts a connection both ztunnels reported once, from the source’s report', () => {
    const telemetry = topologyTelemetry({
      tcp: [
        tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 1000 }),
        tcp({ reporter: 'destination', from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 1000 }),
      ],
    });
    const graph = buildTopology(telemetry, plain);
    expect(trafficEdges(graph)).toEqual(['svc:demo/details->wl:demo/details-v1', 'wl:demo/productpage-v1->svc:demo/details']);
    for (const e of graph.edges) {
      expect(e).toMatchObject({
        protocol: 'tcp',
        requestsPerSecond: 0,
        errorRate: null,
        bytesPerSecond: 1500,
        tcp: { sentBytesPerSecond: 1000, receivedBytesPerSecond: 500, connectionsPerSecond: 1 },
        reporters: ['source'],
        security: {
          policy: 'mutual_tls',
          mtlsShare: 1,
          sourcePrincipals: [principal(PRODUCTPAGE)],
          destinationPrincipals: [principal(DETAILS)],
        },
      });
    }
  });

  it('uses the destination’s report for a pair the source ztunnel did not report', () => {
    const telemetry = topologyTelemetry({
      tcp: [tcp({ reporter: 'destination', from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 800 })],
    });
    const graph = buildTopology(telemetry, plain, { injectServiceNodes: false });
    expect(edge(graph, 'wl:demo/productpage-v1->wl:demo/details-v1')).toMatchObject({ bytesPerSecond: 1200, reporters: ['destination'] });
  });

  it('recognises the source by identity when the destination ztunnel could not place it', () => {
    const telemetry = topologyTelemetry({
      tcp: [
        tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 1000 }),
        tcp({ reporter: 'destination', fromPrincipal: principal(PRODUCTPAGE), service: 'details', to: DETAILS, rate: 1000 }),
      ],
    });
    const graph = buildTopology(telemetry, plain, { injectServiceNodes: false });
    expect(trafficEdges(graph)).toEqual(['wl:demo/productpage-v1->wl:demo/details-v1']);
    expect(graph.edges[0]?.bytesPerSecond).toBe(1500);
  });

  it('shows plaintext from a client outside the mesh as unknown → workload, marked plaintext', () => {
    const telemetry = topologyTelemetry({ tcp: [tcp({ reporter: 'destination', to: DETAILS, rate: 300, security: 'none' })] });
    const graph = buildTopology(telemetry, plain);
    expect(edge(graph, 'unknown->wl:demo/details-v1')).toMatchObject({
      security: { policy: 'none', mtlsShare: 0, sourcePrincipals: [], destinationPrincipals: [principal(DETAILS)] },
    });
    expect(graph.nodes.find((n) => n.id === 'unknown')).toMatchObject({ kind: 'unknown', namespace: '', inMesh: false, root: true });
  });

  it('ends traffic to an address outside the registry at an external node', () => {
    const telemetry = topologyTelemetry({ tcp: [tcp({ reporter: 'source', from: RATINGS, rate: 50, security: 'none' })] });
    const graph = buildTopology(telemetry, plain);
    expect(trafficEdges(graph)).toEqual(['wl:demo/ratings-v1->ext:unknown']);
    expect(graph.nodes.find((n) => n.id === 'ext:unknown')?.kind).toBe('external');
  });
});

describe('buildTopology: through a waypoint', () => {
  // productpage → reviews (waypoint) → reviews-v1 / reviews-v2: the waypoint's L7 view, and the two L4 hops.
  const telemetry = topologyTelemetry({
    requests: [
      requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V1, rate: 6 }),
      requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V2, rate: 3.5 }),
      requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V2, rate: 0.5, code: '503', flags: 'UF' }),
    ],
    durationBuckets: [
      ...durationBuckets({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V1 }, { '1': 1, '5': 4, '10': 6, '+Inf': 6 }),
      ...durationBuckets({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V2 }, { '1': 0, '5': 2, '10': 3, '+Inf': 4 }),
    ],
    tcp: [
      tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'reviews', to: WAYPOINT, rate: 2000 }),
      tcp({ reporter: 'destination', from: WAYPOINT, service: 'reviews', to: REVIEWS_V1, rate: 1200 }),
      tcp({ reporter: 'destination', from: WAYPOINT, service: 'reviews', to: REVIEWS_V2, rate: 800 }),
    ],
  });

  it('makes a request one path client → service → workload, with the hops’ bytes on it', () => {
    const graph = buildTopology(telemetry, withWaypoint);
    expect(trafficEdges(graph)).toEqual([
      'svc:demo/reviews->wl:demo/reviews-v1',
      'svc:demo/reviews->wl:demo/reviews-v2',
      'wl:demo/productpage-v1->svc:demo/reviews',
    ]);
    const client = edge(graph, 'wl:demo/productpage-v1->svc:demo/reviews');
    expect(client).toMatchObject({
      protocol: 'http',
      requestsPerSecond: 10,
      errorRate: 0.05,
      responses: [
        { protocol: 'http', code: '200', requestsPerSecond: 9.5 },
        { protocol: 'http', code: '503', requestsPerSecond: 0.5 },
      ],
      flags: { UF: 0.5 },
      tcp: { sentBytesPerSecond: 2000, receivedBytesPerSecond: 1000 },
      bytesPerSecond: 3000,
      waypoint: 'demo/waypoint',
      reporters: ['source', 'waypoint'],
      security: { policy: 'mutual_tls', sourcePrincipals: [principal(PRODUCTPAGE)] },
    });
    expect(client.security.destinationPrincipals).toEqual([principal(REVIEWS_V1)]); // both versions share the account
    expect(edge(graph, 'svc:demo/reviews->wl:demo/reviews-v2')).toMatchObject({
      requestsPerSecond: 4,
      errorRate: 0.125,
      bytesPerSecond: 1200,
      reporters: ['destination', 'waypoint'],
      waypoint: 'demo/waypoint',
    });
    // No waypoint node and no waypoint edges unless asked for.
    expect(graph.nodes.some((n) => n.kind === 'waypoint')).toBe(false);
  });

  it('computes p50/p95/p99 from the summed buckets, as histogram_quantile does', () => {
    const graph = buildTopology(telemetry, withWaypoint);
    // Client edge: both backends' buckets add up to le 1: 1, 5: 6, 10: 9, +Inf: 10.
    // p50: rank 5 in (1, 5]: 1 + 4 × (5 - 1) / (6 - 1) = 4.2; p95: rank 9.5 in +Inf → 10; p99 → 10.
    expect(edge(graph, 'wl:demo/productpage-v1->svc:demo/reviews').latencyMs).toEqual({ p50: 4.2, p95: 10, p99: 10 });
    // reviews-v1 alone: p50 rank 3 in (1, 5]: 1 + 4 × 2/3.
    expect(edge(graph, 'svc:demo/reviews->wl:demo/reviews-v1').latencyMs?.p50).toBeCloseTo(1 + 8 / 3, 3);
  });

  it('draws the waypoint on the path when asked', () => {
    const graph = buildTopology(telemetry, withWaypoint, { showWaypoints: true });
    expect(trafficEdges(graph)).toEqual([
      'svc:demo/reviews->wp:demo/waypoint',
      'wl:demo/productpage-v1->svc:demo/reviews',
      'wp:demo/waypoint->wl:demo/reviews-v1',
      'wp:demo/waypoint->wl:demo/reviews-v2',
    ]);
    expect(edge(graph, 'svc:demo/reviews->wp:demo/waypoint').requestsPerSecond).toBe(10);
    expect(graph.nodes.find((n) => n.id === 'wp:demo/waypoint')).toMatchObject({
      kind: 'waypoint',
      workloads: ['waypoint'],
      principals: [principal(WAYPOINT)],
      inMesh: true,
    });
  });

  it('without service nodes, leaves client → workload edges, sharing the client hop’s bytes by requests', () => {
    const graph = buildTopology(telemetry, withWaypoint, { injectServiceNodes: false });
    expect(trafficEdges(graph)).toEqual(['wl:demo/productpage-v1->wl:demo/reviews-v1', 'wl:demo/productpage-v1->wl:demo/reviews-v2']);
    // reviews-v1 had 6 of the 10 requests: 60 % of the 2,000 + 1,000 B/s productpage exchanged with the waypoint.
    expect(edge(graph, 'wl:demo/productpage-v1->wl:demo/reviews-v1')).toMatchObject({
      requestsPerSecond: 6,
      bytesPerSecond: 1800,
      reporters: ['destination', 'source', 'waypoint'],
      security: { policy: 'mutual_tls', destinationPrincipals: [principal(REVIEWS_V1)] },
    });
    expect(edge(graph, 'wl:demo/productpage-v1->wl:demo/reviews-v2').bytesPerSecond).toBe(1200);
  });

  it('groups by graph type: versioned app, app, service', () => {
    const versioned = buildTopology(telemetry, withWaypoint, { graphType: 'versionedApp' });
    expect(trafficEdges(versioned)).toEqual([
      'svc:demo/reviews->vapp:demo/reviews/v1',
      'svc:demo/reviews->vapp:demo/reviews/v2',
      'vapp:demo/productpage/v1->svc:demo/reviews',
    ]);
    const app = buildTopology(telemetry, withWaypoint, { graphType: 'app' });
    expect(trafficEdges(app)).toEqual(['app:demo/productpage->svc:demo/reviews', 'svc:demo/reviews->app:demo/reviews']);
    expect(edge(app, 'svc:demo/reviews->app:demo/reviews').requestsPerSecond).toBe(10);
    expect(app.nodes.find((n) => n.id === 'app:demo/reviews')?.workloads).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3']);
    const services = buildTopology(telemetry, withWaypoint, { graphType: 'service' });
    expect(trafficEdges(services)).toEqual(['svc:demo/productpage->svc:demo/reviews']);
    expect(edge(services, 'svc:demo/productpage->svc:demo/reviews')).toMatchObject({ requestsPerSecond: 10, bytesPerSecond: 3000 });
  });
});

describe('buildTopology: health (Kiali’s defaults, overridable)', () => {
  const graphWith = (samples: Parameters<typeof requests>[0][], options = {}) =>
    buildTopology(topologyTelemetry({ requests: samples.map(requests) }), withWaypoint, { injectServiceNodes: false, ...options });
  const id = 'wl:demo/productpage-v1->wl:demo/details-v1';
  const call = { from: PRODUCTPAGE, service: 'details', to: DETAILS };

  it('is degraded at any 5xx and failing from 10 %', () => {
    expect(edge(graphWith([{ ...call, rate: 100 }]), id).health).toBe('healthy');
    const some = edge(
      graphWith([
        { ...call, rate: 99.5 },
        { ...call, rate: 0.5, code: '500' },
      ]),
      id,
    );
    expect(some).toMatchObject({ health: 'degraded', healthReasons: ['inbound http ^5\\d\\d$: 0.50% >= 0%'] });
    expect(
      edge(
        graphWith([
          { ...call, rate: 90 },
          { ...call, rate: 10, code: '503' },
        ]),
        id,
      ).health,
    ).toBe('failure');
  });

  it('tolerates 4xx up to 10 %, fails from 20 %', () => {
    expect(
      edge(
        graphWith([
          { ...call, rate: 95 },
          { ...call, rate: 5, code: '404' },
        ]),
        id,
      ).health,
    ).toBe('healthy');
    expect(
      edge(
        graphWith([
          { ...call, rate: 85 },
          { ...call, rate: 15, code: '404' },
        ]),
        id,
      ).health,
    ).toBe('degraded');
    expect(
      edge(
        graphWith([
          { ...call, rate: 75 },
          { ...call, rate: 25, code: '403' },
        ]),
        id,
      ).health,
    ).toBe('failure');
  });

  it('reads gRPC statuses for gRPC traffic', () => {
    const grpc = { ...call, protocol: 'grpc' as const };
    const graph = graphWith([
      { ...grpc, rate: 88, grpcStatus: '0' },
      { ...grpc, rate: 12, grpcStatus: '14' },
    ]);
    expect(edge(graph, id)).toMatchObject({
      protocol: 'grpc',
      health: 'failure',
      errorRate: 0.12,
      responses: [
        { protocol: 'grpc', code: '0', requestsPerSecond: 88 },
        { protocol: 'grpc', code: '14', requestsPerSecond: 12 },
      ],
    });
  });

  it('takes the user’s rules first', () => {
    const health = {
      rate: [
        {
          namespace: '^demo$',
          kind: '.*',
          name: '.*',
          tolerance: [{ code: '^5\\d\\d$', direction: '.*', protocol: 'http', degraded: 5, failure: 50 }],
        },
      ],
    };
    const samples = [
      { ...call, rate: 90 },
      { ...call, rate: 10, code: '503' },
    ];
    expect(edge(graphWith(samples, { health }), id).health).toBe('degraded');
    expect(
      edge(
        graphWith(
          [
            { ...call, rate: 98 },
            { ...call, rate: 2, code: '503' },
          ],
          { health },
        ),
        id,
      ).health,
    ).toBe('healthy');
  });

  it('rolls traffic up into node health, both ways, and marks where requests start', () => {
    const graph = graphWith([
      { ...call, rate: 90 },
      { ...call, rate: 10, code: '503' },
    ]);
    const details = graph.nodes.find((n) => n.id === 'wl:demo/details-v1');
    expect(details).toMatchObject({
      health: 'failure',
      root: false,
      idle: false,
      pods: { total: 1, healthy: 1 },
      traffic: { inbound: { requestsPerSecond: 100, errorsPerSecond: 10, bytesPerSecond: 0 } },
    });
    expect(graph.nodes.find((n) => n.id === 'wl:demo/productpage-v1')).toMatchObject({ health: 'failure', root: true });
    expect(graph.nodes.find((n) => n.id === 'wl:demo/ratings-v1')).toMatchObject({ health: 'healthy', idle: true });
    expect(graph.namespaces).toEqual([{ name: 'demo', ambient: true, nodes: expect.any(Number), health: 'failure' }]);
  });

  it('fails a proxy whose metrics cannot be scraped', () => {
    const telemetry = topologyTelemetry({
      targets: [
        { name: 'ztunnel-node-1', url: 'http://x', labels: { proxy: 'ztunnel', node: 'node-1' }, health: 'down', lastError: 'timed out' },
        { name: 'ztunnel-node-2', url: 'http://y', labels: { proxy: 'ztunnel', node: 'node-2' }, health: 'up' },
      ],
    });
    const graph = buildTopology(telemetry, plain, { showZtunnels: true });
    expect(graph.nodes.find((n) => n.id === 'zt:node-1')).toMatchObject({
      kind: 'ztunnel',
      health: 'failure',
      healthReasons: ['metrics scrape failing: timed out'],
      scrape: { up: false, lastError: 'timed out' },
    });
    expect(graph.nodes.find((n) => n.id === 'zt:node-2')).toMatchObject({ health: 'healthy', scrape: { up: true } });
  });
});

describe('buildTopology: output', () => {
  const telemetry = topologyTelemetry({
    requests: [requests({ from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 5 })],
    tcp: [tcp({ reporter: 'source', from: REVIEWS_V2, service: 'ratings', to: RATINGS, rate: 10 })],
  });

  it('is plain JSON with stable ids, sorted, the same for the same inputs', () => {
    const a = buildTopology(telemetry, withWaypoint);
    const b = buildTopology(telemetry, withWaypoint);
    expect(JSON.parse(JSON.stringify(a))).toEqual(b);
    expect(a.nodes.map((n) => n.id)).toEqual([...a.nodes.map((n) => n.id)].sort());
    expect(a).toMatchObject({ timestamp: telemetry.at, window: { seconds: 60 }, graphType: 'workload' });
    // Every registry workload and service is there; the waypoint's own are not regular nodes.
    expect(a.nodes.filter((n) => n.kind === 'workload').map((n) => n.name)).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
    ]);
    expect(a.nodes.some((n) => n.name === 'waypoint')).toBe(false);
  });

  it('leaves idle nodes out when asked, and keeps to the namespaces asked for', () => {
    const busy = buildTopology(telemetry, withWaypoint, { includeIdle: false });
    expect(busy.nodes.map((n) => n.id)).toEqual([
      'svc:demo/details',
      'svc:demo/ratings',
      'wl:demo/details-v1',
      'wl:demo/productpage-v1',
      'wl:demo/ratings-v1',
      'wl:demo/reviews-v2',
    ]);
    const other = buildTopology(telemetry, withWaypoint, { namespaces: ['elsewhere'] });
    expect(other.nodes).toEqual([]);
    expect(other.edges).toEqual([]);
  });
});

describe('buildTopology: the waypoint → workload hop as the destination ztunnel labels it', () => {
  const l7 = [
    requests({ from: PRODUCTPAGE, service: 'details', to: DETAILS, rate: 4 }),
    requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V1, rate: 6 }),
    requests({ from: PRODUCTPAGE, service: 'reviews', to: REVIEWS_V2, rate: 4 }),
    requests({ from: REVIEWS_V2, service: 'ratings', to: RATINGS, rate: 4 }),
  ];
  const clientHops = [
    tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'details', to: WAYPOINT, rate: 400 }),
    tcp({ reporter: 'source', from: PRODUCTPAGE, service: 'reviews', to: WAYPOINT, rate: 1000 }),
    tcp({ reporter: 'source', from: REVIEWS_V2, service: 'ratings', to: WAYPOINT, rate: 200 }),
  ];
  const telemetry = topologyTelemetry({
    requests: l7,
    tcp: [
      ...clientHops,
      waypointHop(DETAILS, 300),
      waypointHop(REVIEWS_V1, 600),
      waypointHop(REVIEWS_V2, 500, WAYPOINT.workload), // a ztunnel that could name the waypoint's deployment
      waypointHop(RATINGS, 100),
    ],
  });
  const l7Edges = [
    'svc:demo/details->wl:demo/details-v1',
    'svc:demo/ratings->wl:demo/ratings-v1',
    'svc:demo/reviews->wl:demo/reviews-v1',
    'svc:demo/reviews->wl:demo/reviews-v2',
    'wl:demo/productpage-v1->svc:demo/details',
    'wl:demo/productpage-v1->svc:demo/reviews',
    'wl:demo/reviews-v2->svc:demo/ratings',
  ];

  it('folds the hop into service → workload: no unknown caller, the bytes on the request path', () => {
    const graph = buildTopology(telemetry, withWaypoint);
    expect(graph.edges.filter((e) => e.requestsPerSecond > 0).map((e) => e.id)).toEqual(l7Edges);
    expect(trafficEdges(graph)).toEqual(l7Edges);
    expect(graph.nodes.some((n) => n.id === 'unknown' || n.kind === 'waypoint')).toBe(false);
    expect(edge(graph, 'svc:demo/reviews->wl:demo/reviews-v1')).toMatchObject({
      protocol: 'http',
      requestsPerSecond: 6,
      bytesPerSecond: 900,
      tcp: { sentBytesPerSecond: 600, receivedBytesPerSecond: 300, connectionsPerSecond: 0.6 },
      reporters: ['destination', 'waypoint'],
      waypoint: 'demo/waypoint',
      security: {
        policy: 'mutual_tls',
        mtlsShare: 1,
        sourcePrincipals: [principal(PRODUCTPAGE)],
        destinationPrincipals: [principal(REVIEWS_V1)],
      },
    });
    expect(edge(graph, 'svc:demo/reviews->wl:demo/reviews-v2').bytesPerSecond).toBe(750);
    expect(edge(graph, 'svc:demo/details->wl:demo/details-v1').bytesPerSecond).toBe(450);
    expect(edge(graph, 'wl:demo/productpage-v1->svc:demo/reviews').bytesPerSecond).toBe(1500);
    // The waypoint's identity is the hop's peer, not a caller of the workloads.
    for (const e of graph.edges) expect(e.security.sourcePrincipals).not.toContain(principal(WAYPOINT));
  });

  it('without service nodes, counts the client hop’s bytes once on client → workload', () => {
    const graph = buildTopology(telemetry, withWaypoint, { injectServiceNodes: false });
    expect(trafficEdges(graph)).toEqual([
      'wl:demo/productpage-v1->wl:demo/details-v1',
      'wl:demo/productpage-v1->wl:demo/reviews-v1',
      'wl:demo/productpage-v1->wl:demo/reviews-v2',
      'wl:demo/reviews-v2->wl:demo/ratings-v1',
    ]);
    expect(edge(graph, 'wl:demo/productpage-v1->wl:demo/reviews-v1')).toMatchObject({
      requestsPerSecond: 6,
      bytesPerSecond: 900, // 60 % of the 1,000 + 500 B/s productpage exchanged with the waypoint for reviews
      reporters: ['destination', 'source', 'waypoint'],
    });
  });

  it('puts the hop on waypoint → workload when waypoints are drawn', () => {
    const graph = buildTopology(telemetry, withWaypoint, { showWaypoints: true });
    expect(trafficEdges(graph).filter((id) => id.startsWith('unknown'))).toEqual([]);
    expect(edge(graph, 'wp:demo/waypoint->wl:demo/reviews-v1')).toMatchObject({ requestsPerSecond: 6, bytesPerSecond: 900 });
    expect(edge(graph, 'wp:demo/waypoint->wl:demo/ratings-v1')).toMatchObject({ requestsPerSecond: 4, bytesPerSecond: 150 });
  });

  it('still shows an unplaceable caller that is not the waypoint', () => {
    const legacy = 'spiffe://cluster.local/ns/demo/sa/legacy';
    const graph = buildTopology(
      topologyTelemetry({ requests: l7, tcp: [...clientHops, waypointHop(DETAILS, 300), waypointHop(DETAILS, 80, 'unknown', legacy)] }),
      withWaypoint,
    );
    expect(edge(graph, 'unknown->wl:demo/details-v1')).toMatchObject({
      bytesPerSecond: 120,
      reporters: ['destination'],
      security: { sourcePrincipals: [legacy] },
    });
    expect(edge(graph, 'svc:demo/details->wl:demo/details-v1').bytesPerSecond).toBe(450);
  });

  it('without the waypoint’s requests in the window, puts the hop on the workload’s service', () => {
    const graph = buildTopology(topologyTelemetry({ tcp: [clientHops[0] as VectorSample, waypointHop(DETAILS, 300)] }), withWaypoint);
    expect(trafficEdges(graph)).toEqual(['svc:demo/details->wl:demo/details-v1', 'wl:demo/productpage-v1->svc:demo/details']);
    expect(edge(graph, 'svc:demo/details->wl:demo/details-v1')).toMatchObject({ protocol: 'tcp', bytesPerSecond: 450 });
  });
});
