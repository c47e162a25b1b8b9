import {
  type InstantOptions,
  type InstantVector,
  type RangeMatrix,
  type TelemetryQuery,
  type TelemetrySource,
  toPromQL,
} from '@ambit/control-plane/telemetry';
import { describe, expect } from 'vitest';
import { adminClient } from './support/api-harness';
import { it, type StartApi } from './support/api-test';
import { waitUntil, waitUntilAsync } from './wait';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web, version: v1 } }
spec:
  serviceAccountName: web
  nodeName: node-1
  containers: [{ name: web, image: web }]
status: { phase: Running, podIP: 127.10.0.5 }
`;
const API_POD = `apiVersion: v1
kind: Pod
metadata: { name: api-1, namespace: shop, labels: { app: api, version: v1 } }
spec:
  serviceAccountName: api
  nodeName: node-1
  containers: [{ name: api, image: api }]
status: { phase: Running, podIP: 127.10.0.6 }
`;

/** A waypoint's report of web calling api at `rate` requests/s; counts the graph builds (one requests query each). */
class TrafficTelemetry implements TelemetrySource {
  readonly backend = 'traffic';
  rate = 2;
  builds = 0;
  async instant(query: TelemetryQuery, options: InstantOptions = {}): Promise<InstantVector> {
    const at = options.at ?? Date.now();
    if (!toPromQL(query).includes('istio_requests_total')) return { at, samples: [] };
    this.builds++;
    const labels = {
      source_workload: 'web-1',
      source_workload_namespace: 'shop',
      source_canonical_service: 'web',
      source_canonical_revision: 'v1',
      destination_workload: 'api-1',
      destination_workload_namespace: 'shop',
      destination_canonical_service: 'api',
      destination_canonical_revision: 'v1',
      source_principal: 'spiffe://cluster.local/ns/shop/sa/web',
      destination_principal: 'spiffe://cluster.local/ns/shop/sa/api',
      connection_security_policy: 'mutual_tls',
      request_protocol: 'http',
      response_code: '200',
    };
    return { at, samples: [{ labels, value: this.rate }] };
  }
  async range(): Promise<RangeMatrix> {
    return { timestamps: [], series: [] };
  }
  async targets() {
    return [];
  }
}

describe('topology: one graph for the canvas and its side panel, fresh for live updates', () => {
  /** A BFF whose telemetry reports web calling api, with the shop applied and web-1 in the registry. */
  async function start(startApi: StartApi) {
    const telemetry = new TrafficTelemetry();
    const api = await startApi({ telemetry });
    const client = await adminClient(api);
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    await waitUntil('web-1 in the registry', () =>
      [...api.controlPlane.registry.snapshot().workloads.values()].some((w) => w.name === 'web-1'),
    );
    return { api, client, telemetry };
  }

  it('builds the graph once for the canvas and the side panel asking together, and shows new traffic on a later refresh', async ({
    startApi,
  }) => {
    const { client, telemetry } = await start(startApi);
    const request = { window: '1m', graphType: 'workload' } as const;
    const [view, panel] = await Promise.all([
      client.topology.view.query(request),
      client.topology.node.query({ ...request, id: 'wl:shop/web-1' }),
    ]);
    expect(telemetry.builds).toBe(1);
    expect(view.edges.map((e) => e.requestsPerSecond)).toEqual([2]);
    expect(panel.node?.name).toBe('web-1');
    expect(panel.edges.map((e) => e.requestsPerSecond)).toEqual([2]);

    telemetry.rate = 7;
    // A live refresh (the page's comes every 5 s) sees the new rate within about a second.
    const refreshed = await waitUntilAsync(
      'the new rate on the graph',
      async () => {
        const graph = await client.topology.view.query(request);
        return graph.edges[0]?.requestsPerSecond === 7 ? graph : undefined;
      },
      5_000,
    );
    expect(refreshed.edges[0]?.requestsPerSecond).toBe(7);
  });

  it('shows a workload added to the registry at once, without waiting for the graph to age', async ({ startApi }) => {
    const { api, client } = await start(startApi);
    const request = { window: '1m', graphType: 'workload' } as const;
    const before = await client.topology.view.query(request);
    expect(before.nodes.some((n) => n.name === 'web-1')).toBe(true);
    const apiNode = (graph: typeof before) => graph.nodes.find((n) => n.name === 'api-1');
    const added = apiNode(before);
    // Traffic named api-1 before its pod existed: drawn, but not from the registry (no pods).
    await client.resources.applyManifests.mutate({ yaml: API_POD });
    await waitUntil('api-1 in the registry', () =>
      [...api.controlPlane.registry.snapshot().workloads.values()].some((w) => w.name === 'api-1'),
    );
    const after = await client.topology.graph.query(request);
    const node = after.nodes.find((n) => n.name === 'api-1');
    expect(node?.pods).toEqual({ total: 1, healthy: expect.any(Number) });
    expect(added?.id).toBe(node?.id);
  });
});
