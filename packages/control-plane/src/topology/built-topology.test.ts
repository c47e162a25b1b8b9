import { describe, expect, it } from 'vitest';
import { buildTopology, settleTopology } from './build';
import { graphView } from './graph-view';
import { syntheticTopology } from './test-fixtures';

describe('settleTopology', () => {
  const { snapshot, telemetry } = syntheticTopology({ namespaces: 3, servicesPerNamespace: 6, callsPerWorkload: 3 });

  it('draws the same view the full graph gives, without building the full graph first', () => {
    for (const options of [{}, { graphType: 'app' as const }, { injectServiceNodes: false }, { namespaces: ['ns-1'] }]) {
      const full = buildTopology(telemetry, snapshot, options);
      const view = settleTopology(telemetry, snapshot, options).view();
      expect(view).toEqual(graphView(full));
      expect(JSON.stringify(view).length).toBe(JSON.stringify(graphView(full)).length);
    }
  });

  it('gives the full graph after the view (the side panel after the canvas) as a fresh build gives it', () => {
    const built = settleTopology(telemetry, snapshot);
    const view = built.view();
    const graph = built.graph();
    expect(graph).toEqual(buildTopology(telemetry, snapshot));
    expect(built.view()).toBe(view);
    expect(built.graph()).toBe(graph);
    expect(graph.edges.some((e) => e.healthReasons.length > 0 && e.latencyMs && e.tcp)).toBe(true);
  });
});
