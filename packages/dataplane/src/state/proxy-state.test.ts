import type { CompiledPolicy } from '@ambit/shared/authz';
import { describe, expect, it } from 'vitest';
import { ProxyState } from './proxy-state';
import type { WorkloadInput } from './workload';

const base = (name: string, ip: string, extra: Partial<WorkloadInput> = {}): WorkloadInput => ({
  uid: `Kubernetes//Pod/shop/${name}`,
  name,
  namespace: 'shop',
  addresses: [ip],
  node: 'node-a',
  serviceAccount: name,
  trustDomain: 'cluster.local',
  ...extra,
});

const policy = (name: string, namespace: string, scope: CompiledPolicy['scope']): CompiledPolicy => ({
  name,
  namespace,
  scope,
  action: 'DENY',
  dryRun: false,
  rules: [],
});

describe('proxy state', () => {
  it('finds workloads by IP and uid, services by VIP and port, and derives identities', () => {
    const state = new ProxyState();
    const w = state.upsertWorkload(
      base('cart', '10.0.0.2', { services: { 'shop/cart.shop.svc.cluster.local': [{ servicePort: 80, targetPort: 8080 }] } }),
    );
    expect(w.identity).toBe('spiffe://cluster.local/ns/shop/sa/cart');
    expect(state.workloadByIp('10.0.0.2')).toBe(w);
    expect(state.workloadByUid(w.uid)).toBe(w);
    state.upsertService({
      name: 'cart',
      namespace: 'shop',
      hostname: 'cart.shop.svc.cluster.local',
      addresses: [{ address: '10.96.0.10', node: 'node-a' }],
      ports: [{ servicePort: 80, targetPort: 0 }],
    });
    expect(state.serviceByVip('10.96.0.10', 80)?.name).toBe('cart');
    expect(state.serviceByVip('10.96.0.10', 81)).toBeUndefined();
    expect(state.endpointsOf('shop/cart.shop.svc.cluster.local')).toEqual([w]);
    expect(state.serviceAddressesOfNode('node-a').map((a) => a.address)).toEqual(['10.96.0.10']);
    expect(state.serviceAddressesOfNode('node-b')).toEqual([]);

    const moved = state.upsertWorkload(base('cart', '10.0.0.3'));
    expect(state.workloadByIp('10.0.0.2')).toBeUndefined();
    expect(state.workloadByIp('10.0.0.3')).toBe(moved);
    expect(state.endpointsOf('shop/cart.shop.svc.cluster.local')).toEqual([]);
  });

  it('applies policies by scope: global, the namespace, and selector policies the workload names', () => {
    const state = new ProxyState();
    state.upsertPolicy(policy('mesh', 'istio-system', 'GLOBAL'));
    state.upsertPolicy(policy('ns', 'shop', 'NAMESPACE'));
    state.upsertPolicy(policy('other-ns', 'bank', 'NAMESPACE'));
    state.upsertPolicy(policy('selected', 'shop', 'WORKLOAD_SELECTOR'));
    state.upsertPolicy(policy('not-selected', 'shop', 'WORKLOAD_SELECTOR'));
    const w = state.upsertWorkload(base('cart', '10.0.0.2', { authorizationPolicies: ['shop/selected'] }));
    expect(
      state
        .policiesFor(w)
        .map((p) => p.key)
        .sort(),
    ).toEqual(['istio-system/mesh', 'shop/ns', 'shop/selected']);
    state.removePolicy('shop/ns');
    expect(
      state
        .policiesFor(w)
        .map((p) => p.key)
        .sort(),
    ).toEqual(['istio-system/mesh', 'shop/selected']);
  });

  it('tells listeners once per batch', () => {
    const state = new ProxyState();
    let calls = 0;
    const stop = state.onChange(() => calls++);
    state.batch(() => {
      state.upsertWorkload(base('a', '10.0.0.1'));
      state.upsertWorkload(base('b', '10.0.0.2'));
    });
    expect(calls).toBe(1);
    stop();
    state.removeWorkload('Kubernetes//Pod/shop/a');
    expect(calls).toBe(1);
  });

  it('moves the authorization revision on policy and workload changes, not on services or nodes', () => {
    const state = new ProxyState();
    const start = state.authorizationRevision;
    state.upsertService({
      name: 'cart',
      namespace: 'shop',
      hostname: 'cart.shop.svc.cluster.local',
      addresses: [{ address: '10.96.0.10', node: 'node-a' }],
      ports: [{ servicePort: 80, targetPort: 0 }],
    });
    state.upsertNode({ name: 'node-a', address: '127.0.0.2', hbonePort: 15008 });
    expect(state.authorizationRevision).toBe(start);
    state.upsertWorkload(base('cart', '10.0.0.2'));
    const afterWorkload = state.authorizationRevision;
    expect(afterWorkload).toBeGreaterThan(start);
    state.upsertPolicy(policy('deny', 'shop', 'NAMESPACE'));
    expect(state.authorizationRevision).toBeGreaterThan(afterWorkload);
    const afterPolicy = state.authorizationRevision;
    expect(state.removePolicy('shop/missing')).toBe(false);
    expect(state.authorizationRevision).toBe(afterPolicy);
  });
});
