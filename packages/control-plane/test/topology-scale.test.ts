// A 1,000-node / 3,000-edge graph from telemetry answers: the size issue 7 asks the console to handle.
// Timed by bench/topology.bench.ts; here the time is only logged.
import { describe, expect, it } from 'vitest';
import { buildMtlsAudit, buildTopology } from '../src/topology/index';
import { syntheticTopology } from '../src/topology/test-fixtures';

describe('topology at scale', () => {
  it('builds a 1,000-node, 3,000-edge graph from 66,500 samples', () => {
    const { snapshot, telemetry } = syntheticTopology({ namespaces: 10, servicesPerNamespace: 50, callsPerWorkload: 5 });
    const samples = telemetry.requests.length + telemetry.durationBuckets.length + 3 * telemetry.tcpSent.length;
    buildTopology(telemetry, snapshot); // warm up
    const started = performance.now();
    const graph = buildTopology(telemetry, snapshot);
    const ms = performance.now() - started;
    const json = JSON.stringify(graph);
    console.log(
      `topology: ${graph.nodes.length} nodes, ${graph.edges.length} edges from ${samples} samples in ${ms.toFixed(1)} ms; JSON ${(json.length / 1024).toFixed(0)} KiB`,
    );
    expect(samples).toBe(66_500);
    expect(graph.nodes).toHaveLength(1_000);
    expect(graph.edges).toHaveLength(3_000);
    const clientEdge = graph.edges.find((e) => e.source.startsWith('wl:') && e.target.startsWith('svc:'));
    expect(clientEdge).toMatchObject({
      protocol: 'http',
      requestsPerSecond: 20.25,
      health: 'degraded',
      security: { policy: 'mutual_tls' },
    });
    expect(clientEdge?.latencyMs?.p50).toBeGreaterThan(0);
    expect(graph.namespaces).toHaveLength(10);

    const auditStarted = performance.now();
    const audit = buildMtlsAudit(telemetry, snapshot);
    console.log(
      `mTLS audit of the same: ${audit.edges.length} edges, ${audit.workloads.length} workloads in ${(performance.now() - auditStarted).toFixed(1)} ms`,
    );
    expect(audit.edges).toHaveLength(2_500);
  });
});
