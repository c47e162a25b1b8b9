import { type KubeObject, readManifests } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { upstreamObjects } from '../registry/test-fixtures';
import { bookinfoSnapshot } from '../topology/test-fixtures';
import { simulate } from './simulate';

const TD = 'cluster.local';

function objects(yaml: string, namespace = 'demo'): KubeObject[] {
  return readManifests(yaml).map(({ object }) => ({
    ...object,
    metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespace },
  }));
}

function policy(name: string, spec: string, namespace = 'demo'): KubeObject[] {
  return objects(
    `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n${spec}`,
  );
}

describe('simulate, without a waypoint', () => {
  it('names the DENY policy and rule that refuses the connection at the destination ztunnel', () => {
    const snapshot = bookinfoSnapshot({
      extra: policy(
        'ratings-deny',
        `  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - from: [{ source: { namespaces: ["other"] } }]\n  - from: [{ source: { principals: ["${TD}/ns/demo/sa/bookinfo-reviews"] } }]\n`,
      ),
    });
    const denied = simulate(snapshot, { source: { workload: 'demo/reviews-v2' }, destination: { service: 'demo/ratings' }, port: 9080 });
    expect(denied.outcome).toBe('deny');
    expect(denied.hops.map((h) => [h.point, h.decision])).toEqual([
      ['source-ztunnel', 'pass'],
      ['destination-ztunnel', 'deny'],
    ]);
    expect(denied.hops[1]).toMatchObject({
      decidedBy: { policy: 'demo/ratings-deny', action: 'DENY', ruleIndex: 1 },
      seen: { principal: `${TD}/ns/demo/sa/bookinfo-reviews`, destinationPort: 9080 },
      workload: expect.stringMatching(/^demo\/ratings-v1-/),
    });
    expect(denied.summary).toMatch(/connection reset/);

    const allowed = simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/ratings' }, port: 9080 });
    expect(allowed.outcome).toBe('allow');
    expect(allowed.hops[1]?.policies).toEqual(['demo/ratings-deny']);
  });

  it('drops an ALLOW rule with HTTP attributes at ztunnel (allows nothing) and says only L4 is seen', () => {
    const snapshot = bookinfoSnapshot({
      extra: policy(
        'ratings-get',
        '  selector: { matchLabels: { app: ratings } }\n  rules:\n  - to: [{ operation: { methods: ["GET"] } }]\n',
      ),
    });
    const result = simulate(snapshot, {
      source: { workload: 'demo/reviews-v1' },
      destination: { service: 'demo/ratings' },
      port: 9080,
      method: 'GET',
      path: '/ratings/0',
    });
    expect(result.outcome).toBe('deny');
    expect(result.hops[1]?.reason).toMatch(/no ALLOW policy matched/);
    expect(result.notes.join('\n')).toMatch(/only L4 attributes are enforced/);
  });

  it('reports `mixed` when only some endpoints of the service refuse', () => {
    const snapshot = bookinfoSnapshot({
      extra: policy('v1-only-nothing', '  selector: { matchLabels: { app: reviews, version: v1 } }\n  action: DENY\n  rules: [{}]\n'),
    });
    const result = simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/reviews' }, port: 9080 });
    expect(result.outcome).toBe('mixed');
    const endpoints = result.hops.filter((h) => h.point === 'destination-ztunnel');
    expect(endpoints).toHaveLength(3);
    expect(endpoints.filter((h) => h.decision === 'deny').map((h) => h.workload)).toEqual([expect.stringMatching(/^demo\/reviews-v1-/)]);
  });

  it('takes a bare principal (short form) or a plaintext address; STRICT refuses the plaintext one', () => {
    const strict = objects(
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: strict }\nspec:\n  mtls: { mode: STRICT }\n',
    );
    const snapshot = bookinfoSnapshot({ extra: strict });
    const withIdentity = simulate(snapshot, {
      source: { principal: 'ns/other/sa/default' },
      destination: { workload: 'demo/details' },
      port: 9080,
    });
    expect(withIdentity.source.principal).toBe(`${TD}/ns/other/sa/default`);
    expect(withIdentity.outcome).toBe('allow');
    const plaintext = simulate(snapshot, { source: { ip: '10.0.0.9' }, destination: { workload: 'demo/details' }, port: 9080 });
    expect(plaintext.outcome).toBe('deny');
    expect(plaintext.hops).toHaveLength(1);
    expect(plaintext.hops[0]?.reason).toMatch(/STRICT/);
  });

  it('names what it cannot find', () => {
    const snapshot = bookinfoSnapshot();
    expect(() => simulate(snapshot, { source: { workload: 'demo/nope' }, destination: { service: 'demo/ratings' }, port: 9080 })).toThrow(
      /no workload demo\/nope/,
    );
    expect(() =>
      simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/nope' }, port: 9080 }),
    ).toThrow(/no service demo\/nope/);
  });
});

describe('simulate, through a waypoint', () => {
  it('decides L7 at the waypoint with targetRefs policies, then the destination ztunnel sees the waypoint', () => {
    const snapshot = bookinfoSnapshot({
      waypoint: true,
      extra: policy(
        'reviews-no-deletes',
        '  targetRefs: [{ kind: Service, group: "", name: reviews }]\n  action: DENY\n  rules:\n  - to: [{ operation: { methods: ["DELETE"] } }]\n',
      ),
    });
    const denied = simulate(snapshot, {
      source: { workload: 'demo/productpage' },
      destination: { service: 'demo/reviews' },
      port: 9080,
      method: 'delete',
      path: '/reviews/0',
    });
    expect(denied.outcome).toBe('deny');
    expect(denied.summary).toMatch(/^403/);
    expect(denied.hops.map((h) => h.point)).toEqual(['source-ztunnel', 'waypoint']);
    expect(denied.hops[1]).toMatchObject({
      proxy: 'waypoint/demo/waypoint',
      decidedBy: { policy: 'demo/reviews-no-deletes', ruleIndex: 0 },
      seen: { method: 'DELETE', path: '/reviews/0' },
    });

    const allowed = simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/reviews' }, port: 9080 });
    expect(allowed.outcome).toBe('allow');
    expect(allowed.route).toMatchObject({ route: 'default', action: 'Forward' });
    const last = allowed.hops.at(-1);
    expect(last).toMatchObject({ point: 'destination-ztunnel', seen: { principal: `${TD}/ns/demo/sa/waypoint` } });
  });

  it('refuses at the destination ztunnel a client the waypoint let through, when the workload allows only clients by identity', () => {
    const snapshot = bookinfoSnapshot({
      waypoint: true,
      extra: policy(
        'details-from-productpage',
        `  selector: { matchLabels: { app: details } }\n  rules:\n  - from: [{ source: { principals: ["${TD}/ns/demo/sa/bookinfo-productpage"] } }]\n`,
      ),
    });
    const result = simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/details' }, port: 9080 });
    expect(result.outcome).toBe('deny');
    expect(result.hops.map((h) => [h.point, h.decision])).toEqual([
      ['source-ztunnel', 'pass'],
      ['waypoint', 'allow'],
      ['destination-ztunnel', 'deny'],
    ]);
    expect(result.summary).toMatch(/^503/);
  });

  it('picks the HTTPRoute rule and lists the weighted backends with their endpoints', () => {
    const snapshot = bookinfoSnapshot({ waypoint: true, extra: upstreamObjects(['route-reviews-90-10.yaml'], 'demo') });
    const result = simulate(snapshot, {
      source: { workload: 'demo/productpage' },
      destination: { service: 'demo/reviews' },
      port: 9080,
      path: '/reviews/1',
    });
    expect(result.route).toMatchObject({
      route: 'demo/reviews',
      ruleIndex: 0,
      action: 'Forward',
      backends: [
        { service: 'demo/reviews-v1', weight: 90, share: 0.9, endpoints: [expect.stringMatching(/^demo\/reviews-v1-/)] },
        { service: 'demo/reviews-v2', weight: 10, share: 0.1, endpoints: [expect.stringMatching(/^demo\/reviews-v2-/)] },
      ],
    });
    expect(result.hops.filter((h) => h.point === 'destination-ztunnel').map((h) => h.workload)).toEqual([
      expect.stringMatching(/^demo\/reviews-v1-/),
      expect.stringMatching(/^demo\/reviews-v2-/),
    ]);
  });

  it('says a pod address is refused by the waypoint', () => {
    const snapshot = bookinfoSnapshot({
      waypoint: true,
      extra: objects(
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n  labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint }\n',
      ),
    });
    const gateway = snapshot.waypoints.get('demo/waypoint');
    expect(gateway).toBeDefined();
    const result = simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { workload: 'demo/details' }, port: 9080 });
    // A service-only waypoint does not serve pod addresses: the connection goes straight to the workload.
    expect(result.hops.map((h) => h.point)).toEqual(['source-ztunnel', 'destination-ztunnel']);
    expect(result.outcome).toBe('allow');
  });
});
