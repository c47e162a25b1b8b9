import { describe, expect, it } from 'vitest';
import { buildTopology } from './build';
import { graphView, nodeDetails } from './graph-view';
import { syntheticTopology } from './test-fixtures';

describe('graphView', () => {
  const { snapshot, telemetry } = syntheticTopology({ namespaces: 2, servicesPerNamespace: 5, callsPerWorkload: 2 });
  const graph = buildTopology(telemetry, snapshot);

  it('keeps every node and edge, in order, with what the canvas draws and filters by, in far fewer bytes', () => {
    const view = graphView(graph);
    expect(view.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(view.edges.map((e) => e.id)).toEqual(graph.edges.map((e) => e.id));
    const edge = graph.edges.find((e) => e.latencyMs) ?? graph.edges[0];
    const shown = view.edges.find((e) => e.id === edge?.id);
    expect(shown).toEqual({
      id: edge?.id,
      source: edge?.source,
      target: edge?.target,
      protocol: edge?.protocol,
      requestsPerSecond: edge?.requestsPerSecond,
      errorRate: edge?.errorRate,
      latencyMs: edge?.latencyMs,
      bytesPerSecond: edge?.bytesPerSecond,
      security: { policy: edge?.security.policy },
      health: edge?.health,
    });
    expect(view.nodes[0]?.traffic).toEqual(graph.nodes[0]?.traffic);
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(graph).length / 2);
  });

  it('nodeDetails gives the side panel one node and every edge touching it, in full', () => {
    const busy = graph.nodes.find((n) => !n.idle);
    expect(busy).toBeDefined();
    const details = nodeDetails(graph, busy?.id ?? '');
    expect(details.node).toEqual(busy);
    expect(details.edges.length).toBeGreaterThan(0);
    expect(details.edges).toEqual(graph.edges.filter((e) => e.source === busy?.id || e.target === busy?.id));
    expect(nodeDetails(graph, 'wl:nowhere/none')).toEqual({ node: null, edges: [] });
  });
});
