// Snapshot → Istio workload API resources (Address, Authorization), checked field by field and
// through the protobuf codec ztunnel decodes with.
import type { KubeObject } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../src/registry/index';
import { bookinfoObjects, namespace } from '../src/registry/test-fixtures';
import { toAuthorizations, toWorkloadAddresses } from '../src/translate/index';
import { bytesToIp, decodeAddress, decodeAuthorization, encodeAddress, encodeAuthorization } from '../src/xds/index';

const REVIEWS_V2 = 'Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0';
const REVIEWS = 'demo/reviews.demo.svc.cluster.local';
const WAYPOINT_ADDRESS = { hostname: { namespace: 'demo', hostname: 'waypoint.demo.svc.cluster.local' }, hboneMtlsPort: 15008 };

const waypoint: KubeObject[] = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: 'demo', labels: { 'istio.io/waypoint-for': 'all' } },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'waypoint', namespace: 'demo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
    spec: { clusterIP: '10.96.0.20', ports: [{ name: 'mesh', port: 15008 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'waypoint-0',
      namespace: 'demo',
      labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' },
    },
    spec: { serviceAccountName: 'waypoint', nodeName: 'node-1', containers: [{ name: 'waypoint' }] },
    status: { phase: 'Running', podIP: '127.11.1.50' },
  },
];

const outside: KubeObject[] = [
  namespace('legacy'),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'legacy', namespace: 'legacy' },
    spec: { selector: { app: 'legacy' }, ports: [{ port: 80 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'legacy-0', namespace: 'legacy', labels: { app: 'legacy' } },
    spec: { containers: [{ name: 'legacy' }] },
    status: { phase: 'Running', podIP: '127.11.1.60' },
  },
];

const policies: KubeObject[] = [
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'reviews-callers', namespace: 'demo' },
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      rules: [
        {
          from: [
            { source: { principals: ['cluster.local/ns/demo/sa/bookinfo-productpage', '*-admin'], notNamespaces: ['legacy'] } },
            { source: { serviceAccounts: ['ops/debugger'] } },
          ],
          to: [{ operation: { ports: ['9080'] } }],
        },
      ],
    },
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'no-outside', namespace: 'demo' },
    spec: { action: 'DENY', rules: [{ from: [{ source: { notIpBlocks: ['127.0.0.0/8', 'fd00::/8'] } }] }] },
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'istio-system' },
    spec: { mtls: { mode: 'STRICT' } },
  },
];

function enrolledWithWaypoint(objects: KubeObject[]): KubeObject[] {
  return objects.map((o) =>
    o.kind === 'Namespace' && o.metadata.name === 'demo'
      ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'istio.io/use-waypoint': 'waypoint' } } }
      : o,
  );
}

const snapshot = buildSnapshot([...enrolledWithWaypoint(bookinfoObjects()), ...waypoint, ...outside, ...policies]);

describe('toWorkloadAddresses', () => {
  const addresses = toWorkloadAddresses(snapshot);

  it('keys workloads by uid and services by namespace/hostname, sorted, ambient ones and waypoints only', () => {
    expect([...addresses.keys()]).toEqual([
      'Kubernetes//Pod/demo/details-v1-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/productpage-v1-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/ratings-v1-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/reviews-v1-5d8c9b7f6c-0',
      REVIEWS_V2,
      'Kubernetes//Pod/demo/reviews-v3-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/waypoint-0',
      'demo/details.demo.svc.cluster.local',
      'demo/productpage.demo.svc.cluster.local',
      'demo/ratings.demo.svc.cluster.local',
      'demo/reviews-v1.demo.svc.cluster.local',
      'demo/reviews-v2.demo.svc.cluster.local',
      'demo/reviews-v3.demo.svc.cluster.local',
      REVIEWS,
      'demo/waypoint.demo.svc.cluster.local',
    ]);
  });

  it('describes a workload as ztunnel needs it', () => {
    const address = addresses.get(REVIEWS_V2);
    expect(address).toEqual({
      workload: {
        uid: REVIEWS_V2,
        name: 'reviews-v2-5d8c9b7f6c-0',
        namespace: 'demo',
        addresses: [Uint8Array.from([127, 12, 1, 4])],
        tunnelProtocol: 'HBONE',
        trustDomain: 'cluster.local',
        serviceAccount: 'bookinfo-reviews',
        node: 'node-2',
        canonicalName: 'reviews',
        canonicalRevision: 'v2',
        workloadType: 'DEPLOYMENT',
        workloadName: 'reviews-v2',
        status: 'HEALTHY',
        clusterId: 'Kubernetes',
        waypoint: WAYPOINT_ADDRESS,
        services: {
          'demo/reviews-v2.demo.svc.cluster.local': { ports: [{ servicePort: 9080, targetPort: 9080, appProtocol: 'HTTP11' }] },
          [REVIEWS]: { ports: [{ servicePort: 9080, targetPort: 9080, appProtocol: 'HTTP11' }] },
        },
        // Selector-scoped only: the namespace-wide DENY applies by its scope.
        authorizationPolicies: ['demo/reviews-callers', 'istio-system/istio_converted_static_strict'],
        locality: { region: 'local', zone: 'zone-b' },
      },
    });
  });

  it('survives the protobuf round trip ztunnel decodes with', () => {
    const address = addresses.get(REVIEWS_V2);
    if (!address?.workload) throw new Error('no workload');
    const decoded = decodeAddress(encodeAddress(address));
    expect(decoded.workload?.addresses?.map((a) => bytesToIp(a))).toEqual(['127.12.1.4']);
    expect({ ...decoded.workload, addresses: undefined }).toEqual({ ...address.workload, addresses: undefined });
  });

  it('describes a service with its VIPs, ports and waypoint', () => {
    expect(addresses.get(REVIEWS)).toEqual({
      service: {
        name: 'reviews',
        namespace: 'demo',
        hostname: 'reviews.demo.svc.cluster.local',
        addresses: [{ address: Uint8Array.from([127, 11, 128, 3]) }, { address: Uint8Array.from([127, 12, 128, 3]) }],
        ports: [{ servicePort: 9080, targetPort: 9080, appProtocol: 'HTTP11' }],
        waypoint: WAYPOINT_ADDRESS,
      },
    });
    // The waypoint's own pod and service never point at a waypoint.
    expect(addresses.get('Kubernetes//Pod/demo/waypoint-0')?.workload).toMatchObject({
      tunnelProtocol: 'HBONE',
      serviceAccount: 'waypoint',
    });
    expect(addresses.get('Kubernetes//Pod/demo/waypoint-0')?.workload?.waypoint).toBeUndefined();
    expect(addresses.get('demo/waypoint.demo.svc.cluster.local')?.service?.waypoint).toBeUndefined();
  });

  it('gives a node’s ztunnel only the cluster VIPs and that node’s own service addresses', () => {
    const nodeView = toWorkloadAddresses(snapshot, { node: 'node-1' });
    expect(nodeView.get(REVIEWS)?.service?.addresses?.map((a) => bytesToIp(a.address))).toEqual(['127.11.128.3']);
    // A service with only a cluster-wide VIP keeps it on every node.
    expect(nodeView.get('demo/waypoint.demo.svc.cluster.local')?.service?.addresses?.map((a) => bytesToIp(a.address))).toEqual([
      '10.96.0.20',
    ]);
  });
});

describe('toAuthorizations', () => {
  const authorizations = toAuthorizations(snapshot);

  it('sends every ztunnel policy keyed namespace/name, with Istio’s static STRICT policy', () => {
    expect([...authorizations.keys()]).toEqual(['demo/no-outside', 'demo/reviews-callers', 'istio-system/istio_converted_static_strict']);
    expect(authorizations.get('istio-system/istio_converted_static_strict')).toEqual({
      name: 'istio_converted_static_strict',
      namespace: 'istio-system',
      scope: 'WORKLOAD_SELECTOR',
      action: 'DENY',
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: {} }] }] }] }],
      dryRun: false,
    });
  });

  it('maps a compiled policy onto the proto field by field', () => {
    const callers = authorizations.get('demo/reviews-callers');
    expect(callers).toEqual({
      name: 'reviews-callers',
      namespace: 'demo',
      scope: 'WORKLOAD_SELECTOR',
      action: 'ALLOW',
      dryRun: false,
      rules: [
        {
          clauses: [
            {
              matches: [
                {
                  principals: [{ exact: 'cluster.local/ns/demo/sa/bookinfo-productpage' }, { suffix: '-admin' }],
                  notNamespaces: [{ exact: 'legacy' }],
                },
                { serviceAccounts: [{ namespace: 'ops', serviceAccount: 'debugger' }] },
              ],
            },
            { matches: [{ destinationPorts: [9080] }] },
          ],
        },
      ],
    });
    const outsideDeny = authorizations.get('demo/no-outside');
    expect(outsideDeny).toMatchObject({ scope: 'NAMESPACE', action: 'DENY' });
    const match = outsideDeny?.rules?.[0]?.clauses[0]?.matches[0];
    expect(match?.notSourceIps?.map((c) => [bytesToIp(c.address), c.length])).toEqual([
      ['127.0.0.0', 8],
      ['fd00::', 8],
    ]);
    // And it encodes and decodes as ztunnel reads it.
    expect(decodeAuthorization(encodeAuthorization(callers ?? { name: '', namespace: '' }))).toEqual(callers);
  });
});
