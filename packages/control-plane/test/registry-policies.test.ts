// Where each policy applies: at the ztunnels of the workloads it selects (selector, namespace,
// mesh-wide), or at a waypoint through targetRefs; PeerAuthentication as Istio converts it.
import type { KubeObject } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../src/registry/index';
import { bookinfoObjects } from '../src/registry/test-fixtures';

const REVIEWS_V1 = 'Kubernetes//Pod/demo/reviews-v1-5d8c9b7f6c-0';
const RATINGS = 'Kubernetes//Pod/demo/ratings-v1-5d8c9b7f6c-0';
const STATIC_STRICT = 'istio-system/istio_converted_static_strict';

function authorizationPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec };
}

function peerAuthentication(namespace: string, name: string, spec: Record<string, unknown>, created = '2024-01-01T00:00:00Z'): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace, creationTimestamp: created },
    spec,
  };
}

const other: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'other', labels: { app: 'reviews' } },
    spec: { containers: [{ name: 'client' }] },
    status: { phase: 'Running', podIP: '127.11.1.77' },
  },
];
const CLIENT = 'Kubernetes//Pod/other/client';

describe('ztunnel policy attachment', () => {
  it('applies selector, namespace-wide and mesh-wide policies to the workloads they select', () => {
    const snapshot = buildSnapshot([
      ...bookinfoObjects(),
      ...other,
      authorizationPolicy('demo', 'reviews-only', { selector: { matchLabels: { app: 'reviews' } } }),
      authorizationPolicy('demo', 'whole-namespace', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['other'] } }] }] }),
      authorizationPolicy('istio-system', 'mesh-wide', { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }),
      authorizationPolicy('istio-system', 'every-reviews', { selector: { matchLabels: { app: 'reviews' } }, rules: [{}] }),
    ]);
    const lists = snapshot.policies.workloadPolicies;
    expect(lists.get(REVIEWS_V1)).toEqual([
      'demo/reviews-only',
      'demo/whole-namespace',
      'istio-system/every-reviews',
      'istio-system/mesh-wide',
    ]);
    expect(lists.get(RATINGS)).toEqual(['demo/whole-namespace', 'istio-system/mesh-wide']);
    expect(lists.get(CLIENT)).toEqual(['istio-system/every-reviews', 'istio-system/mesh-wide']);
    expect(snapshot.policies.ztunnel.get('demo/whole-namespace')?.scope).toBe('NAMESPACE');
    expect(snapshot.policies.ztunnel.get('istio-system/mesh-wide')?.scope).toBe('GLOBAL');
    expect(snapshot.policies.ztunnel.get('istio-system/every-reviews')?.scope).toBe('WORKLOAD_SELECTOR');
  });

  it('keeps what the compiler had to say about a policy', () => {
    const snapshot = buildSnapshot([
      ...bookinfoObjects(),
      authorizationPolicy('demo', 'gets-only', {
        selector: { matchLabels: { app: 'ratings' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    expect(snapshot.policies.notes.get('AuthorizationPolicy/demo/gets-only')?.map((n) => n.code)).toContain('AllowRuleDropped');
    // An ALLOW policy whose only rule needs HTTP still applies at ztunnel: it now allows nothing.
    expect(snapshot.policies.ztunnel.get('demo/gets-only')?.rules).toEqual([]);
    expect(snapshot.policies.workloadPolicies.get(RATINGS)).toEqual(['demo/gets-only']);
  });

  it('attaches targetRef policies to the waypoint, or to the services it serves, never to ztunnel', () => {
    const waypoint: KubeObject[] = [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: 'demo' },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'waypoint', namespace: 'demo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
        spec: { ports: [{ name: 'mesh', port: 15008 }] },
      },
    ];
    const objects = bookinfoObjects().map((o) =>
      o.kind === 'Service' && o.metadata.name === 'reviews'
        ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'istio.io/use-waypoint': 'waypoint' } } }
        : o,
    );
    const snapshot = buildSnapshot([
      ...objects,
      ...waypoint,
      authorizationPolicy('demo', 'at-waypoint', {
        targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
      authorizationPolicy('demo', 'reviews-gets', {
        targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
        rules: [{ to: [{ operation: { paths: ['/reviews/*'] } }] }],
      }),
      authorizationPolicy('demo', 'ratings-gets', {
        targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    expect(snapshot.policies.waypointPolicies.get('demo/waypoint')).toEqual(['demo/at-waypoint']);
    expect(snapshot.policies.servicePolicies.get('demo/reviews.demo.svc.cluster.local')).toEqual(['demo/reviews-gets']);
    // ratings has no waypoint: nothing enforces a policy that targets it.
    expect(snapshot.policies.servicePolicies.get('demo/ratings.demo.svc.cluster.local')).toBeUndefined();
    expect(snapshot.policies.waypoint.get('demo/reviews-gets')?.policy.rules[0]?.clauses[0]?.matches[0]?.paths).toEqual([
      { prefix: '/reviews/' },
    ]);
    expect([...snapshot.policies.ztunnel.keys()]).toEqual([]);
    expect(snapshot.policies.workloadPolicies.size).toBe(0);
  });
});

describe('PeerAuthentication at ztunnel', () => {
  it('lists Istio’s static STRICT policy on every workload a mesh-wide STRICT covers', () => {
    const snapshot = buildSnapshot([
      ...bookinfoObjects(),
      ...other,
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
    ]);
    expect(snapshot.policies.ztunnel.get(STATIC_STRICT)).toEqual({
      name: 'istio_converted_static_strict',
      namespace: 'istio-system',
      scope: 'WORKLOAD_SELECTOR',
      action: 'DENY',
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }] }] }] }],
      dryRun: false,
    });
    expect(snapshot.policies.workloadPolicies.get(RATINGS)).toEqual([STATIC_STRICT]);
    expect(snapshot.policies.workloadPolicies.get(CLIENT)).toEqual([STATIC_STRICT]);
  });

  it('lets a namespace PERMISSIVE override a mesh STRICT', () => {
    const snapshot = buildSnapshot([
      ...bookinfoObjects(),
      ...other,
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('other', 'default', { mtls: { mode: 'PERMISSIVE' } }),
    ]);
    expect(snapshot.policies.workloadPolicies.get(CLIENT)).toBeUndefined();
    expect(snapshot.policies.workloadPolicies.get(RATINGS)).toEqual([STATIC_STRICT]);
  });

  it('converts a workload policy with port-level exceptions, merged with the STRICT it inherits', () => {
    const snapshot = buildSnapshot([
      ...bookinfoObjects(),
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('demo', 'ratings-metrics', {
        selector: { matchLabels: { app: 'ratings' } },
        portLevelMtls: { '9090': { mode: 'PERMISSIVE' } },
      }),
      peerAuthentication('demo', 'reviews-strict-port', {
        selector: { matchLabels: { app: 'reviews', version: 'v1' } },
        mtls: { mode: 'PERMISSIVE' },
        portLevelMtls: { '9080': { mode: 'STRICT' } },
      }),
    ]);
    expect(snapshot.policies.ztunnel.get('demo/converted_peer_authentication_ratings-metrics')).toMatchObject({
      scope: 'WORKLOAD_SELECTOR',
      action: 'DENY',
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }], notDestinationPorts: [9090] }] }] }],
    });
    expect(snapshot.policies.workloadPolicies.get(RATINGS)).toEqual(['demo/converted_peer_authentication_ratings-metrics']);
    expect(snapshot.policies.ztunnel.get('demo/converted_peer_authentication_reviews-strict-port')).toMatchObject({
      rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: true }], destinationPorts: [9080] }] }] }],
    });
    expect(snapshot.policies.workloadPolicies.get(REVIEWS_V1)).toEqual(['demo/converted_peer_authentication_reviews-strict-port']);
    expect(snapshot.policies.workloadPolicies.get('Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0')).toEqual([STATIC_STRICT]);
  });

  it('sends nothing for PeerAuthentication when there is none', () => {
    const snapshot = buildSnapshot(bookinfoObjects());
    expect(snapshot.policies.ztunnel.has(STATIC_STRICT)).toBe(false);
  });
});
