import { TypeUrl } from '@ambit/shared/xds';
import { describe, expect, it } from 'vitest';
import { WaypointConfig } from './config';
import { WaypointConfigSink } from './xds-sink';

const NAME = 'reviews.shop.svc.cluster.local:9080';
const CLUSTER = 'outbound|9080||reviews-v1.shop.svc.cluster.local';

function routeConfiguration(prefix: string): Record<string, unknown> {
  return {
    name: NAME,
    virtualHosts: [{ name: NAME, domains: ['*'], routes: [{ name: 'shop/r/0/0', match: { prefix }, route: { cluster: CLUSTER } }] }],
  };
}

describe('WaypointConfigSink', () => {
  it('stores decoded route tables and endpoint assignments, and forgets removed ones', () => {
    const config = new WaypointConfig();
    const sink = new WaypointConfigSink(config);
    let changes = 0;
    config.onChange(() => changes++);
    sink.apply(TypeUrl.routeConfiguration, { upserted: new Map([[NAME, routeConfiguration('/')]]), removed: [] });
    sink.apply(TypeUrl.clusterLoadAssignment, {
      upserted: new Map([
        [
          CLUSTER,
          {
            clusterName: CLUSTER,
            endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.7', portValue: 8080 } } } }] }],
          },
        ],
      ]),
      removed: [],
    });
    expect(config.routeTable(NAME)?.routes[0]?.action).toMatchObject({
      type: 'Forward',
      backends: [{ name: 'reviews-v1', namespace: 'shop', port: 9080 }],
    });
    expect(config.loadAssignment(CLUSTER)?.endpoints).toEqual([{ address: '10.0.0.7', port: 8080, healthy: true }]);
    expect(changes).toBe(2);
    sink.apply(TypeUrl.routeConfiguration, { upserted: new Map(), removed: [NAME] });
    expect(config.routeTable(NAME)).toBeUndefined();
  });

  it('rejects a whole response when one route table cannot be honoured, keeping the old tables', () => {
    const config = new WaypointConfig();
    const sink = new WaypointConfigSink(config);
    sink.apply(TypeUrl.routeConfiguration, { upserted: new Map([[NAME, routeConfiguration('/')]]), removed: [] });
    const before = config.routeTable(NAME);
    const other = 'ratings.shop.svc.cluster.local:9080';
    expect(() =>
      sink.apply(TypeUrl.routeConfiguration, {
        upserted: new Map([
          [other, { ...routeConfiguration('/'), name: other }],
          [NAME, routeConfiguration('/char-wise-prefix')],
        ]),
        removed: [],
      }),
    ).toThrow(/path matches are supported/);
    expect(config.routeTable(NAME)).toBe(before);
    expect(config.routeTable(other)).toBeUndefined();
  });

  it('keeps the L7 policies attached to the waypoint, by name, and drops removed ones', () => {
    const config = new WaypointConfig();
    const sink = new WaypointConfigSink(config);
    const policy = (name: string) => ({
      policy: { name, namespace: 'shop', scope: 'NAMESPACE' as const, action: 'DENY' as const, rules: [{ clauses: [] }], dryRun: false },
      target: { namespace: 'shop', name, targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }] },
    });
    sink.apply(TypeUrl.waypointPolicy, {
      upserted: new Map([
        ['shop/a', policy('a')],
        ['shop/b', policy('b')],
      ]),
      removed: [],
    });
    sink.apply(TypeUrl.waypointPolicy, { upserted: new Map([['shop/c', policy('c')]]), removed: ['shop/a'] });
    expect(config.targetedPolicies().map((p) => p.target.name)).toEqual(['b', 'c']);
    expect(() => sink.apply(TypeUrl.waypointPolicy, { upserted: new Map([['shop/x', policy('c')]]), removed: [] })).toThrow(/names itself/);
    expect(config.targetedPolicies()).toHaveLength(2);
  });

  it('hands the workload API to the state sink it is given, and refuses it without one', () => {
    const seen: string[] = [];
    const sink = new WaypointConfigSink(new WaypointConfig(), { apply: (typeUrl) => seen.push(typeUrl) });
    sink.apply(TypeUrl.address, { upserted: new Map(), removed: [] });
    expect(seen).toEqual([TypeUrl.address]);
    expect(() => new WaypointConfigSink(new WaypointConfig()).apply(TypeUrl.address, { upserted: new Map(), removed: [] })).toThrow(
      /not type/,
    );
  });
});
