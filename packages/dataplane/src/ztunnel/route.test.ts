import { describe, expect, it } from 'vitest';
import { ProxyState } from '../state/proxy-state';
import type { WorkloadInput } from '../state/workload';
import { OutboundRouter } from './route';

const HOST = 'reviews.shop.svc.cluster.local';

function endpoint(name: string, ip: string, extra: Partial<WorkloadInput> = {}): WorkloadInput {
  return {
    uid: `Kubernetes//Pod/shop/${name}`,
    name,
    namespace: 'shop',
    addresses: [ip],
    node: 'node-b',
    serviceAccount: 'reviews',
    trustDomain: 'cluster.local',
    services: { [`shop/${HOST}`]: [{ servicePort: 9080, targetPort: 8080 }] },
    ...extra,
  };
}

function mesh(): ProxyState {
  const state = new ProxyState();
  state.upsertNode({ name: 'node-b', address: '10.1.0.2', hbonePort: 15008 });
  state.upsertService({
    name: 'reviews',
    namespace: 'shop',
    hostname: HOST,
    addresses: [{ address: '10.96.0.5' }],
    ports: [{ servicePort: 9080, targetPort: 0 }],
  });
  return state;
}

describe('outbound routing', () => {
  it('spreads connections over healthy endpoints in turn, via their node, with the workload target port', () => {
    const state = mesh();
    state.upsertWorkload(endpoint('r1', '10.0.0.11'));
    state.upsertWorkload(endpoint('r2', '10.0.0.12'));
    state.upsertWorkload(endpoint('r3', '10.0.0.13', { status: 'UNHEALTHY' }));
    const router = new OutboundRouter(state);
    const picks = Array.from({ length: 4 }, () => {
      const r = router.resolve('10.96.0.5', 9080);
      if (r.kind !== 'hbone') throw new Error(r.kind);
      expect(r.gateway).toEqual({ address: '10.1.0.2', port: 15008, identity: 'spiffe://cluster.local/ns/shop/sa/reviews' });
      return r.authority;
    });
    expect(picks).toEqual(['10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.11:8080', '10.0.0.12:8080']);
  });

  it('sends service traffic to the service waypoint with the original VIP as authority', () => {
    const state = mesh();
    state.upsertWorkload(endpoint('r1', '10.0.0.11'));
    state.upsertWorkload({
      uid: 'Kubernetes//Pod/shop/waypoint-1',
      name: 'waypoint-1',
      namespace: 'shop',
      addresses: ['10.0.0.50'],
      node: 'node-b',
      serviceAccount: 'waypoint',
      trustDomain: 'cluster.local',
      services: { 'shop/waypoint.shop.svc.cluster.local': [] },
    });
    state.upsertService({
      name: 'waypoint',
      namespace: 'shop',
      hostname: 'waypoint.shop.svc.cluster.local',
      addresses: [],
      ports: [{ servicePort: 15008, targetPort: 0 }],
    });
    state.upsertService({
      name: 'reviews',
      namespace: 'shop',
      hostname: HOST,
      addresses: [{ address: '10.96.0.5' }],
      ports: [{ servicePort: 9080, targetPort: 0 }],
      waypoint: { hostname: { namespace: 'shop', hostname: 'waypoint.shop.svc.cluster.local' }, hboneMtlsPort: 15008 },
    });
    const route = new OutboundRouter(state).resolve('10.96.0.5', 9080);
    expect(route).toMatchObject({
      kind: 'hbone',
      waypoint: true,
      authority: '10.96.0.5:9080',
      gateway: { address: '10.0.0.50', port: 15008, identity: 'spiffe://cluster.local/ns/shop/sa/waypoint' },
    });
  });

  it('passes through to endpoints outside the mesh and to unknown addresses, and says when nothing serves', () => {
    const state = mesh();
    const router = new OutboundRouter(state);
    expect(router.resolve('10.96.0.5', 9080)).toMatchObject({ kind: 'unreachable', reason: `service ${HOST} has no healthy endpoint` });
    state.upsertWorkload(endpoint('legacy', '10.0.0.20', { tunnelProtocol: 'NONE' }));
    expect(router.resolve('10.96.0.5', 9080)).toMatchObject({ kind: 'passthrough', ip: '10.0.0.20', port: 8080 });
    expect(router.resolve('93.184.216.34', 443)).toMatchObject({ kind: 'passthrough', ip: '93.184.216.34', port: 443 });
  });
});
