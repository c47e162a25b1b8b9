import { evaluateAuthorization } from '@ambit/shared/authz';
import { isAmbitError } from '@ambit/shared/errors';
import {
  type Address,
  type Authorization,
  encodeAddress,
  encodeAuthorization,
  encodeMeshNode,
  ipToBytes,
  type MeshNode,
  TypeUrl,
} from '@ambit/shared/xds';
import { describe, expect, it } from 'vitest';
import { ProxyState } from '../state/proxy-state';
import { resourceTypeFor } from './resource-types';
import { WorkloadStateSink } from './workload-state-sink';

// Through the wire codec, so fields at their proto default arrive absent, as from a real server.
const wireAddress = (address: Address): Address => resourceTypeFor(TypeUrl.address).decode(encodeAddress(address)) as Address;
const wireAuthorization = (authorization: Authorization): Authorization =>
  resourceTypeFor(TypeUrl.authorization).decode(encodeAuthorization(authorization)) as Authorization;

const wireNode = (node: MeshNode): MeshNode => resourceTypeFor(TypeUrl.node).decode(encodeMeshNode(node)) as MeshNode;

const CART_HOST = 'cart.shop.svc.cluster.local';

function addresses(...list: Address[]): Map<string, Address> {
  return new Map(list.map((a) => [a.workload ? a.workload.uid : `${a.service.namespace}/${a.service.hostname}`, wireAddress(a)]));
}

const cart = wireAddress({
  workload: {
    uid: 'Kubernetes//Pod/shop/cart-1',
    name: 'cart-1',
    namespace: 'shop',
    addresses: [ipToBytes('127.21.1.5')],
    node: 'node-b',
    tunnelProtocol: 'HBONE',
    trustDomain: 'example.org',
    serviceAccount: 'cart',
    workloadName: 'cart',
    canonicalRevision: 'v2',
    services: { [`shop/${CART_HOST}`]: { ports: [{ servicePort: 80, targetPort: 8080 }] } },
    authorizationPolicies: ['shop/cart-only'],
    waypoint: { hostname: { namespace: 'shop', hostname: 'waypoint.shop.svc.cluster.local' }, hboneMtlsPort: 15008 },
  },
});

describe('workload state sink', () => {
  it('stores workloads and services as the ztunnel reads them, with the proto defaults a real server leaves off', () => {
    const state = new ProxyState();
    const sink = new WorkloadStateSink({ state, node: 'node-a' });
    sink.apply(TypeUrl.address, {
      upserted: addresses(
        { workload: cart.workload as NonNullable<Address['workload']> },
        // Everything at its default: plain TCP (NONE), HEALTHY, service account `default`, trust domain cluster.local.
        { workload: { uid: 'Kubernetes//Pod/legacy/db-0', name: 'db-0', namespace: 'legacy', addresses: [ipToBytes('fd00::7')] } },
        {
          service: {
            name: 'cart',
            namespace: 'shop',
            hostname: CART_HOST,
            addresses: [{ address: ipToBytes('127.21.128.1') }, { address: ipToBytes('10.96.0.10') }],
            ports: [{ servicePort: 80, appProtocol: 'HTTP2' }],
          },
        },
      ),
      removed: [],
    });

    const w = state.workloadByIp('127.21.1.5');
    expect(w).toMatchObject({
      uid: 'Kubernetes//Pod/shop/cart-1',
      node: 'node-b',
      tunnelProtocol: 'HBONE',
      status: 'HEALTHY',
      identity: 'spiffe://example.org/ns/shop/sa/cart',
      canonicalName: 'cart',
      canonicalRevision: 'v2',
      services: { [`shop/${CART_HOST}`]: [{ servicePort: 80, targetPort: 8080 }] },
      authorizationPolicies: ['shop/cart-only'],
      waypoint: { hostname: { namespace: 'shop', hostname: 'waypoint.shop.svc.cluster.local' }, hboneMtlsPort: 15008 },
    });
    expect(state.workloadByIp('fd00::7')).toMatchObject({
      tunnelProtocol: 'NONE',
      status: 'HEALTHY',
      identity: 'spiffe://cluster.local/ns/legacy/sa/default',
      node: '',
    });
    const service = state.serviceByVip('10.96.0.10', 80);
    expect(service).toMatchObject({ key: `shop/${CART_HOST}`, ports: [{ servicePort: 80, targetPort: 0, appProtocol: 'HTTP2' }] });
    expect(state.serviceByVip('127.21.128.1', 80)).toBe(service);
    // Only the loopback VIP is this node's to listen on; the cluster IP is routed but not owned.
    expect(state.serviceAddressesOfNode('node-a').map((a) => a.address)).toEqual(['127.21.128.1']);
    expect(state.endpointsOf(`shop/${CART_HOST}`).map((e) => e.name)).toEqual(['cart-1']);

    sink.apply(TypeUrl.address, { upserted: new Map(), removed: ['Kubernetes//Pod/legacy/db-0', `shop/${CART_HOST}`] });
    expect(state.workloadByIp('fd00::7')).toBeUndefined();
    expect(state.serviceByVip('10.96.0.10', 80)).toBeUndefined();
    expect(state.workloadByIp('127.21.1.5')).toBeDefined();
  });

  it('turns Authorization resources into policies the shared evaluator enforces', () => {
    const state = new ProxyState();
    const sink = new WorkloadStateSink({ state });
    sink.apply(TypeUrl.address, { upserted: addresses({ workload: cart.workload as NonNullable<Address['workload']> }), removed: [] });
    const policies: Authorization[] = [
      {
        // scope and action at their defaults (GLOBAL, ALLOW) travel as absent fields.
        name: 'cart-only',
        namespace: 'shop',
        scope: 'WORKLOAD_SELECTOR',
        // One rule: the frontend's identity AND port 8080.
        rules: [
          {
            clauses: [
              { matches: [{ principals: [{ exact: 'example.org/ns/shop/sa/frontend' }] }] },
              { matches: [{ destinationPorts: [8080] }] },
            ],
          },
        ],
      },
      {
        name: 'no-lab',
        namespace: 'istio-system',
        action: 'DENY',
        rules: [
          { clauses: [{ matches: [{ sourceIps: [{ address: ipToBytes('10.9.0.0'), length: 16 }], principals: [{ presence: {} }] }] }] },
        ],
      },
    ];
    sink.apply(TypeUrl.authorization, {
      upserted: new Map(policies.map((p) => [`${p.namespace}/${p.name}`, wireAuthorization(p)])),
      removed: [],
    });

    const workload = state.workloadByUid('Kubernetes//Pod/shop/cart-1');
    if (!workload) throw new Error('cart-1 is missing');
    const decide = (principal: string, ip: string, port = 8080) =>
      evaluateAuthorization(state.policiesFor(workload), { source: { principal, ip }, destination: { ip: '127.21.1.5', port } }).allowed;
    expect(decide('example.org/ns/shop/sa/frontend', '10.1.0.1')).toBe(true);
    expect(decide('example.org/ns/shop/sa/frontend', '10.1.0.1', 9090)).toBe(false);
    expect(decide('example.org/ns/shop/sa/intruder', '10.1.0.1')).toBe(false);
    expect(decide('example.org/ns/shop/sa/frontend', '10.9.3.4')).toBe(false);

    sink.apply(TypeUrl.authorization, { upserted: new Map(), removed: ['istio-system/no-lab'] });
    expect(decide('example.org/ns/shop/sa/frontend', '10.9.3.4')).toBe(true);
  });

  it('rejects an update with one bad resource, naming the field, and keeps the state as it was', () => {
    const state = new ProxyState();
    const sink = new WorkloadStateSink({ state });
    sink.apply(TypeUrl.address, { upserted: addresses({ workload: cart.workload as NonNullable<Address['workload']> }), removed: [] });
    let changes = 0;
    state.onChange(() => changes++);

    const good = {
      workload: { uid: 'Kubernetes//Pod/shop/web-1', name: 'web-1', namespace: 'shop', addresses: [ipToBytes('127.21.1.9')] },
    };
    const bad = { workload: { uid: 'Kubernetes//Pod/shop/bad', name: 'bad', namespace: 'shop', addresses: [Uint8Array.of(10, 0, 0)] } };
    let error: unknown;
    try {
      sink.apply(TypeUrl.address, { upserted: addresses(good, bad), removed: ['Kubernetes//Pod/shop/cart-1'] });
    } catch (caught) {
      error = caught;
    }
    expect(isAmbitError(error) && error.describe()).toMatch(
      /Address Kubernetes\/\/Pod\/shop\/bad: workload\.addresses\[0\]: an IP address has 4 or 16 bytes, not 3/,
    );
    expect(changes).toBe(0);
    expect(state.workloadByIp('127.21.1.5')?.name).toBe('cart-1');
    expect(state.workloadByIp('127.21.1.9')).toBeUndefined();

    expect(() =>
      sink.apply(TypeUrl.address, { upserted: new Map([['Kubernetes//Pod/shop/other', wireAddress(good)]]), removed: [] }),
    ).toThrow(/invalid Address/);
    expect(() => sink.apply(TypeUrl.listener, { upserted: new Map(), removed: [] })).toThrow(/not type.googleapis.com\/envoy/);
  });

  it('stores where each node’s ztunnel takes HBONE, and refuses a node without an address or port', () => {
    const state = new ProxyState();
    const sink = new WorkloadStateSink({ state, node: 'node-a' });
    const nodes = (...list: MeshNode[]) => new Map(list.map((n) => [n.name, wireNode(n)]));
    sink.apply(TypeUrl.node, {
      upserted: nodes(
        { name: 'node-a', addresses: [ipToBytes('127.21.0.1')], hbonePort: 15008 },
        { name: 'node-b', addresses: [ipToBytes('127.22.0.1'), ipToBytes('fd00::22')], hbonePort: 15008 },
      ),
      removed: [],
    });
    expect(state.node('node-b')).toEqual({ name: 'node-b', address: '127.22.0.1', hbonePort: 15008 });

    let changes = 0;
    state.onChange(() => changes++);
    expect(() => sink.apply(TypeUrl.node, { upserted: nodes({ name: 'node-c', hbonePort: 15008 }), removed: ['node-b'] })).toThrow(
      /invalid Node node-c/,
    );
    expect(() =>
      sink.apply(TypeUrl.node, { upserted: nodes({ name: 'node-c', addresses: [ipToBytes('127.23.0.1')] }), removed: [] }),
    ).toThrow(/invalid Node node-c/);
    expect(changes).toBe(0);
    expect(state.node('node-b')).toBeDefined();

    sink.apply(TypeUrl.node, { upserted: new Map(), removed: ['node-b'] });
    expect(state.node('node-b')).toBeUndefined();
    expect(state.node('node-a')?.address).toBe('127.21.0.1');
  });
});
