// The registry as the xDS server's ResourceSource: per-proxy views, and store changes turned into
// pushes of only the affected types.
import { describe, expect, it } from 'vitest';
import type { Registry } from '../src/registry/index';
import { bookinfoObjects, upstreamObjects } from '../src/registry/test-fixtures';
import type { SqliteStore } from '../src/store/index';
import type { RegistryResourceSource } from '../src/translate/index';
import {
  bytesToIp,
  decodeAddress,
  decodeMeshNode,
  decodeWaypointPolicy,
  type ProxyInfo,
  type ResourceChange,
  TypeUrl,
} from '../src/xds/index';
import { registrySourceForEachTest } from './support/registry-source';

const ztunnel: ProxyInfo = { id: 'ztunnel-node-1', kind: 'ztunnel', cluster: '', nodeName: 'node-1', metadata: {} };
const waypoint: ProxyInfo = { id: 'waypoint-0', kind: 'waypoint', cluster: '', waypoint: 'demo/waypoint', metadata: {} };
const grpcClient: ProxyInfo = { id: 'grpc-client', kind: 'grpc', cluster: '', metadata: {} };
const REVIEWS_V2 = 'Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0';
const REVIEWS = 'demo/reviews.demo.svc.cluster.local';

describe('RegistryResourceSource', () => {
  let store: SqliteStore;
  let registry: Registry;
  let source: RegistryResourceSource;
  let pushes: ResourceChange[];

  registrySourceForEachTest(bookinfoObjects, (fresh) => {
    ({ store, registry, source, pushes } = fresh);
  });

  function pushedTypes(): string[] {
    registry.flush();
    expect(pushes).toHaveLength(1);
    return [...(pushes.pop()?.typeUrls ?? [])].sort();
  }

  it('gives each kind of proxy its own view', () => {
    expect(source.viewKey(ztunnel, TypeUrl.address)).toBe('node:node-1');
    expect(source.viewKey(ztunnel, TypeUrl.authorization)).toBe('all');
    expect(source.viewKey(waypoint, TypeUrl.listener)).toBe('canonical');
    expect(source.viewKey(grpcClient, TypeUrl.listener)).toBe('aliases');
    expect(source.viewKey(grpcClient, TypeUrl.clusterLoadAssignment)).toBe(source.viewKey(waypoint, TypeUrl.clusterLoadAssignment));

    expect(source.resources(ztunnel, TypeUrl.listener).size).toBe(0);
    expect(source.resources(grpcClient, TypeUrl.address).size).toBe(0);
    expect(source.resources(ztunnel, TypeUrl.address).size).toBe(13);
    expect(source.resources(waypoint, TypeUrl.listener).size).toBe(7);
    expect(source.resources(grpcClient, TypeUrl.listener).size).toBe(7 * 6);
    expect(source.resources(grpcClient, TypeUrl.cluster).has('outbound|9080||reviews.demo.svc.cluster.local')).toBe(true);
  });

  it('gives a waypoint the workload API with every node’s VIPs: clients on any node dial it with their own', () => {
    expect(source.viewKey(waypoint, TypeUrl.address)).toBe('all');
    const reviews = source.resources(waypoint, TypeUrl.address).get(REVIEWS);
    const decoded = decodeAddress(reviews?.resource.value ?? new Uint8Array());
    expect(decoded.service?.addresses?.map((a) => bytesToIp(a.address)).sort()).toEqual(['127.11.128.3', '127.12.128.3']);
    expect([...source.resources(waypoint, TypeUrl.node).keys()]).toEqual(['node-1', 'node-2']);
    expect(source.resources(ztunnel, TypeUrl.waypointPolicy).size).toBe(0);
  });

  it('sends a waypoint the L7 policies attached to it or to a service it serves, and nothing else', () => {
    const policy = (name: string, targetRefs: object[]) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace: 'demo' },
      spec: { targetRefs, action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] },
    });
    store.apply(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'waypoint', namespace: 'demo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
          spec: { ports: [{ port: 15008 }] },
        },
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'waypoint', namespace: 'demo' },
          spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
        },
      ],
      { author: 'test' },
    );
    registry.flush();
    pushes.length = 0;
    store.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'demo', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } },
        },
        policy('on-waypoint', [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }]),
        policy('on-reviews', [{ kind: 'Service', group: '', name: 'reviews' }]),
        policy('elsewhere', [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'other-waypoint' }]),
      ],
      { author: 'test' },
    );
    registry.flush();
    expect(pushes.some((p) => p.typeUrls.has(TypeUrl.waypointPolicy))).toBe(true);
    const view = source.resources(waypoint, TypeUrl.waypointPolicy);
    expect([...view.keys()]).toEqual(['demo/on-reviews', 'demo/on-waypoint']);
    const decoded = decodeWaypointPolicy(view.get('demo/on-reviews')?.resource.value ?? new Uint8Array());
    expect(decoded.target.targetRefs).toEqual([{ kind: 'Service', group: '', name: 'reviews' }]);
    expect(decoded.policy).toMatchObject({ name: 'on-reviews', namespace: 'demo', action: 'DENY' });

    // A selector policy is the ztunnels' business: waypoints hear nothing of it.
    pushes.length = 0;
    store.apply(
      [
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'l4', namespace: 'demo' },
          spec: { selector: { matchLabels: { app: 'ratings' } } },
        },
      ],
      { author: 'test' },
    );
    registry.flush();
    expect(pushes.some((p) => p.typeUrls.has(TypeUrl.waypointPolicy))).toBe(false);
  });

  it('sends ztunnels every node’s HBONE address and pushes Node resources when a node moves', () => {
    expect(source.viewKey(ztunnel, TypeUrl.node)).toBe('all');
    expect(source.resources(grpcClient, TypeUrl.node).size).toBe(0);
    const before = source.resources(ztunnel, TypeUrl.node);
    expect([...before.keys()]).toEqual(['node-1', 'node-2']);

    store.updateStatus({ kind: 'Node', namespace: '', name: 'node-2' }, { addresses: [{ type: 'InternalIP', address: '127.12.0.9' }] });
    expect(pushedTypes()).toContain(TypeUrl.node);
    const after = source.resources(ztunnel, TypeUrl.node);
    expect(after.get('node-1')?.version).toBe(before.get('node-1')?.version);
    const moved = decodeMeshNode(after.get('node-2')?.resource.value ?? new Uint8Array());
    expect(moved.addresses?.map((a) => bytesToIp(a))).toEqual(['127.12.0.9']);
    expect(moved.hbonePort).toBe(15008);
  });

  it('lists only the node’s own service VIPs to its ztunnel', () => {
    const reviews = source.resources(ztunnel, TypeUrl.address).get(REVIEWS);
    const decoded = decodeAddress(reviews?.resource.value ?? new Uint8Array());
    expect(decoded.service?.addresses?.map((a) => bytesToIp(a.address))).toEqual(['127.11.128.3']);
  });

  it('re-encodes only the changed workload and pushes Address and EDS for a pod change', () => {
    const before = source.resources(ztunnel, TypeUrl.address);
    const endpointsBefore = source.resources(waypoint, TypeUrl.clusterLoadAssignment);
    const listenersBefore = source.resources(waypoint, TypeUrl.listener);
    store.updateStatus({ kind: 'Pod', namespace: 'demo', name: 'reviews-v2-5d8c9b7f6c-0' }, { phase: 'Running', podIP: '127.12.1.44' });
    expect(pushedTypes()).toEqual([TypeUrl.address, TypeUrl.clusterLoadAssignment].sort());

    const after = source.resources(ztunnel, TypeUrl.address);
    expect(after).not.toBe(before);
    const changed = [...after.keys()].filter((name) => after.get(name) !== before.get(name));
    expect(changed).toEqual([REVIEWS_V2]);
    expect(after.get(REVIEWS_V2)?.version).not.toBe(before.get(REVIEWS_V2)?.version);
    // The map handed out before is a snapshot: it still holds the old workload.
    expect(decodeAddress(before.get(REVIEWS_V2)?.resource.value ?? new Uint8Array()).workload?.addresses?.map((a) => bytesToIp(a))).toEqual(
      ['127.12.1.4'],
    );

    const endpointsAfter = source.resources(waypoint, TypeUrl.clusterLoadAssignment);
    const changedClusters = [...endpointsAfter.keys()].filter(
      (name) => endpointsAfter.get(name)?.version !== endpointsBefore.get(name)?.version,
    );
    expect(changedClusters.sort()).toEqual([
      'outbound|9080||reviews-v2.demo.svc.cluster.local',
      'outbound|9080||reviews.demo.svc.cluster.local',
    ]);
    expect(source.resources(waypoint, TypeUrl.listener)).toBe(listenersBefore);
  });

  it('pushes Authorization (and the selected workloads’ Address) for a policy change', () => {
    store.apply(
      [
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'ratings-callers', namespace: 'demo' },
          spec: { selector: { matchLabels: { app: 'ratings' } }, rules: [{ from: [{ source: { namespaces: ['demo'] } }] }] },
        },
      ],
      { author: 'test' },
    );
    expect(pushedTypes()).toEqual([TypeUrl.address, TypeUrl.authorization].sort());
    expect([...source.resources(ztunnel, TypeUrl.authorization).keys()]).toEqual(['demo/ratings-callers']);
    const ratings = source.resources(ztunnel, TypeUrl.address).get('Kubernetes//Pod/demo/ratings-v1-5d8c9b7f6c-0');
    expect(decodeAddress(ratings?.resource.value ?? new Uint8Array()).workload?.authorizationPolicies).toEqual(['demo/ratings-callers']);
  });

  it('pushes only RouteConfiguration for an HTTPRoute change', () => {
    const routesBefore = source.resources(grpcClient, TypeUrl.routeConfiguration);
    store.apply(upstreamObjects(['route-reviews-90-10.yaml'], 'demo'), { author: 'test' });
    expect(pushedTypes()).toEqual([TypeUrl.routeConfiguration]);
    const routesAfter = source.resources(grpcClient, TypeUrl.routeConfiguration);
    const changed = [...routesAfter.keys()].filter((name) => routesAfter.get(name)?.version !== routesBefore.get(name)?.version);
    expect(changed).toEqual(['reviews.demo.svc.cluster.local:9080']);
  });

  it('pushes the Envoy types and Address for a service change', () => {
    const service = store.get({ kind: 'Service', namespace: 'demo', name: 'details' });
    if (!service) throw new Error('no details service');
    store.apply(
      [
        {
          ...service,
          spec: {
            ...(service.spec as object),
            ports: [
              { name: 'http', port: 9080 },
              { name: 'grpc', port: 9090 },
            ],
          },
        },
      ],
      {
        author: 'test',
      },
    );
    expect(pushedTypes()).toEqual(
      [TypeUrl.address, TypeUrl.listener, TypeUrl.routeConfiguration, TypeUrl.cluster, TypeUrl.clusterLoadAssignment].sort(),
    );
    expect(source.resources(waypoint, TypeUrl.listener).has('details.demo.svc.cluster.local:9090')).toBe(true);
  });
});
