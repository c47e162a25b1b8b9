// Gateway API ReferenceGrant end to end in the control plane: a route on the waypoint (a Gateway
// parent) may send traffic to another namespace's Service only when a grant there permits it; the
// translator, the simulator and the analyzer agree, and the registry follows grants coming and going.
import type { KubeObject } from '@ambit/shared';
import type { CompiledRouteTable } from '@ambit/shared/routing';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/index';
import type { MeshSnapshot, Registry } from '../src/registry/index';
import { namespace } from '../src/registry/test-fixtures';
import { simulate } from '../src/simulate/index';
import type { SqliteStore } from '../src/store/index';
import { bookinfoMeshObjects, bookinfoSnapshot } from '../src/topology/test-fixtures';
import { type RegistryResourceSource, routeTables, toRouteConfigurations } from '../src/translate/index';
import { type Any, envoySchemas, type ProxyInfo, type ResourceChange, TypeUrl } from '../src/xds/index';
import { registrySourceForEachTest } from './support/registry-source';

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf JSON is walked freely in assertions
type Json = Record<string, any>;

const ROUTES = 'gateway.networking.k8s.io';
const DETAILS = 'details.demo.svc.cluster.local';

function decode(any: Any | undefined): Json {
  if (!any) throw new Error('resource missing');
  const type = envoySchemas().lookupType(any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1));
  return type.toObject(type.decode(any.value), { enums: String, longs: Number, json: true }) as Json;
}

/** Namespace `backend` with Services `echo-v1` and `echo-v2` on port 9080. */
const backendNamespace: KubeObject[] = [
  namespace('backend'),
  ...['echo-v1', 'echo-v2'].map(
    (name): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'backend' },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
    }),
  ),
];

function route(name: string, rules: object[], parentRefs: object[] = [{ group: ROUTES, kind: 'Gateway', name: 'waypoint' }]): KubeObject {
  return { apiVersion: `${ROUTES}/v1`, kind: 'HTTPRoute', metadata: { name, namespace: 'demo' }, spec: { parentRefs, rules } };
}

function grant(spec: object, grantNamespace = 'backend', name = 'from-demo'): KubeObject {
  return { apiVersion: `${ROUTES}/v1beta1`, kind: 'ReferenceGrant', metadata: { name, namespace: grantNamespace }, spec };
}

const fromDemoRoutes = [{ group: ROUTES, kind: 'HTTPRoute', namespace: 'demo' }];
const toService = (name?: string) => [name === undefined ? { group: '', kind: 'Service' } : { group: '', kind: 'Service', name }];

/** Half of details' traffic to itself, half to backend/echo-v1. */
const split = route('split', [
  {
    backendRefs: [
      { name: 'details', port: 9080, weight: 1 },
      { name: 'echo-v1', namespace: 'backend', port: 9080, weight: 1 },
    ],
  },
]);

function mesh(...extra: KubeObject[]): MeshSnapshot {
  return bookinfoSnapshot({ waypoint: true, extra: [...backendNamespace, ...extra] });
}

function detailsTable(snapshot: MeshSnapshot): CompiledRouteTable {
  const table = routeTables(snapshot).find((t) => t.service.hostname === DETAILS && t.port.port === 9080);
  expect(table?.attachedTo).toBe('Gateway');
  return table?.table as CompiledRouteTable;
}

/** Per backend of the first route: [service, usable?]. */
function backends(snapshot: MeshSnapshot): [string, boolean][] {
  const action = detailsTable(snapshot).routes[0]?.action;
  if (action?.type !== 'Forward') throw new Error(`expected a forward, got ${JSON.stringify(action)}`);
  return action.backends.map((b) => [`${b.namespace}/${b.name}`, b.invalid === undefined]);
}

const abort500 = {
  'envoy.filters.http.fault': {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    abort: { httpStatus: 500, percentage: { numerator: 1000000, denominator: 'MILLION' } },
  },
};

describe('cross-namespace backendRefs of a route on the waypoint', () => {
  it('without a grant: that backend’s share answers 500, the other backend keeps its share', () => {
    const snapshot = mesh(split);
    expect(backends(snapshot)).toEqual([
      ['demo/details', true],
      ['backend/echo-v1', false],
    ]);
    const action = detailsTable(snapshot).routes[0]?.action;
    expect(action?.type === 'Forward' && action.backends[1]?.invalid).toBe('Service backend/echo-v1: RefNotPermitted');
  });

  it('the waypoint’s RouteConfiguration and the simulator say the same: half the requests get 500', () => {
    const snapshot = mesh(split);
    const config = decode(toRouteConfigurations(snapshot).get(`${DETAILS}:9080`));
    expect(config.virtualHosts[0].routes[0].route.weightedClusters.clusters).toEqual([
      { name: `outbound|9080||${DETAILS}`, weight: { value: 1 } },
      { name: `outbound|9080||${DETAILS}`, weight: { value: 1 }, typedPerFilterConfig: abort500 },
    ]);
    const simulated = simulate(snapshot, {
      source: { workload: 'demo/productpage' },
      destination: { service: 'demo/details' },
      port: 9080,
      path: '/details/0',
    }).route;
    expect(simulated?.backends.map((b) => [b.service, b.share, b.invalid])).toEqual([
      ['demo/details', 0.5, undefined],
      ['backend/echo-v1', 0.5, 'Service backend/echo-v1: RefNotPermitted'],
    ]);

    const granted = mesh(split, grant({ from: fromDemoRoutes, to: toService('echo-v1') }));
    const clusters = decode(toRouteConfigurations(granted).get(`${DETAILS}:9080`)).virtualHosts[0].routes[0].route.weightedClusters
      .clusters;
    expect(clusters).toEqual([
      { name: `outbound|9080||${DETAILS}`, weight: { value: 1 } },
      { name: 'outbound|9080||echo-v1.backend.svc.cluster.local', weight: { value: 1 } },
    ]);
  });

  it('a grant naming the Service permits only it; a grant without a name permits every Service of its namespace', () => {
    const both = route('both', [
      {
        backendRefs: [
          { name: 'echo-v1', namespace: 'backend', port: 9080 },
          { name: 'echo-v2', namespace: 'backend', port: 9080 },
        ],
      },
    ]);
    expect(backends(mesh(both, grant({ from: fromDemoRoutes, to: toService('echo-v1') })))).toEqual([
      ['backend/echo-v1', true],
      ['backend/echo-v2', false],
    ]);
    expect(backends(mesh(both, grant({ from: fromDemoRoutes, to: toService() })))).toEqual([
      ['backend/echo-v1', true],
      ['backend/echo-v2', true],
    ]);
  });

  it.each([
    ['in the route’s namespace instead of the Service’s', grant({ from: fromDemoRoutes, to: toService() }, 'demo')],
    ['from another namespace', grant({ from: [{ group: ROUTES, kind: 'HTTPRoute', namespace: 'other' }], to: toService() })],
    ['from another kind', grant({ from: [{ group: ROUTES, kind: 'Gateway', namespace: 'demo' }], to: toService() })],
    ['from another group', grant({ from: [{ group: 'example.com', kind: 'HTTPRoute', namespace: 'demo' }], to: toService() })],
    ['to another kind', grant({ from: fromDemoRoutes, to: [{ group: '', kind: 'Secret' }] })],
    ['to another name', grant({ from: fromDemoRoutes, to: toService('echo-v2') })],
  ])('a grant %s does not permit it', (_why, wrong) => {
    expect(backends(mesh(split, wrong))).toEqual([
      ['demo/details', true],
      ['backend/echo-v1', false],
    ]);
  });

  it('a rule whose only backend is not permitted answers 500; a sibling rule whose backend is permitted forwards', () => {
    const partly = route('partly', [
      { matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [{ name: 'echo-v2', namespace: 'backend', port: 9080 }] },
      { backendRefs: [{ name: 'echo-v1', namespace: 'backend', port: 9080 }] },
    ]);
    const snapshot = mesh(partly, grant({ from: fromDemoRoutes, to: toService('echo-v1') }));
    const request = (path: string) =>
      simulate(snapshot, { source: { workload: 'demo/productpage' }, destination: { service: 'demo/details' }, port: 9080, path }).route;
    expect(request('/v2/x')).toMatchObject({ route: 'demo/partly', ruleIndex: 0, status: 500 });
    expect(request('/')).toMatchObject({
      route: 'demo/partly',
      ruleIndex: 1,
      action: 'Forward',
      backends: [{ service: 'backend/echo-v1', share: 1 }],
    });
    expect(detailsTable(snapshot).routes[0]?.action).toEqual({
      type: 'DirectResponse',
      status: 500,
      reason: 'Service backend/echo-v2: RefNotPermitted',
    });
  });

  it('says RefNotPermitted even when the Service does not exist: a route learns nothing of another namespace', () => {
    const missing = route('missing', [{ backendRefs: [{ name: 'nothing-here', namespace: 'backend', port: 9080 }] }]);
    expect(detailsTable(mesh(missing)).routes[0]?.action).toMatchObject({ reason: 'Service backend/nothing-here: RefNotPermitted' });
  });

  it('leaves routes attached to a Service (GAMMA) alone: they need no grant, as in Istio', () => {
    const onService = route('on-service', (split.spec as { rules: object[] }).rules, [
      { group: '', kind: 'Service', name: 'details', port: 9080 },
    ]);
    const table = routeTables(mesh(onService)).find((t) => t.service.hostname === DETAILS);
    expect(table?.attachedTo).toBe('Service');
    const action = table?.table.routes[0]?.action;
    expect(action?.type === 'Forward' && action.backends.map((b) => b.invalid)).toEqual([undefined, undefined]);
  });
});

describe('analysis of a cross-namespace backendRef', () => {
  const waypointObjects = (): KubeObject[] => [
    namespace('demo', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    {
      apiVersion: `${ROUTES}/v1`,
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'demo' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'details', namespace: 'demo' },
      spec: { ports: [{ name: 'http', port: 9080 }] },
    },
    ...backendNamespace,
  ];

  it('says which ReferenceGrant to create, at the backendRef, and nothing once it exists', () => {
    const messages = analyze([...waypointObjects(), split], { rootNamespace: 'istio-system' });
    expect(
      messages.map((m) => [m.code, m.level, `${m.resource.kind} ${m.resource.namespace}/${m.resource.name}`, m.path, m.message]),
    ).toEqual([
      [
        'AMB0026',
        'Error',
        'HTTPRoute demo/split',
        'spec.rules[0].backendRefs[1]',
        'Service backend/echo-v1 is in another namespace and no ReferenceGrant permits this route to use it: its share of requests gets 500. To permit it, create a ReferenceGrant in namespace backend from HTTPRoute in namespace demo (group gateway.networking.k8s.io) to Service echo-v1 (group "")',
      ],
    ]);
    const granted = analyze([...waypointObjects(), split, grant({ from: fromDemoRoutes, to: toService('echo-v1') })], {
      rootNamespace: 'istio-system',
    });
    expect(granted).toEqual([]);
  });

  it('a RequestMirror to another namespace’s Service needs the grant too: without it nothing is mirrored, and analysis says so', () => {
    const mirrored = route('mirrored', [
      {
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'echo-v2', namespace: 'backend', port: 9080 } } }],
        backendRefs: [{ name: 'details', port: 9080 }],
      },
    ]);
    const mirrors = (snapshot: MeshSnapshot) => {
      const action = detailsTable(snapshot).routes[0]?.action;
      return action?.type === 'Forward' ? action.filters.filter((f) => f.type === 'RequestMirror').length : -1;
    };
    expect(mirrors(mesh(mirrored))).toBe(0);
    expect(mirrors(mesh(mirrored, grant({ from: fromDemoRoutes, to: toService('echo-v2') })))).toBe(1);

    const messages = analyze([...waypointObjects(), mirrored], { rootNamespace: 'istio-system' });
    expect(messages.map((m) => [m.code, m.path, m.message])).toEqual([
      [
        'AMB0026',
        'spec.rules[0].filters[0].requestMirror.backendRef',
        'Service backend/echo-v2 is in another namespace and no ReferenceGrant permits this route to use it: requests are not mirrored. To permit it, create a ReferenceGrant in namespace backend from HTTPRoute in namespace demo (group gateway.networking.k8s.io) to Service echo-v2 (group "")',
      ],
    ]);
  });
});

describe('the registry and the xDS view follow ReferenceGrants', () => {
  const waypoint: ProxyInfo = { id: 'waypoint-0', kind: 'waypoint', cluster: '', waypoint: 'demo/waypoint', metadata: {} };
  let store: SqliteStore;
  let registry: Registry;
  let source: RegistryResourceSource;
  let pushes: ResourceChange[];

  registrySourceForEachTest(
    () => bookinfoMeshObjects({ waypoint: true, extra: [...backendNamespace, split] }),
    (fresh) => {
      ({ store, registry, source, pushes } = fresh);
    },
  );

  function echoShareFails(): boolean {
    const config = decode(source.resources(waypoint, TypeUrl.routeConfiguration).get(`${DETAILS}:9080`)?.resource);
    const clusters: Json[] = config.virtualHosts[0].routes[0].route.weightedClusters.clusters;
    return clusters[1]?.typedPerFilterConfig !== undefined;
  }

  function pushedRouteConfigurations(): boolean {
    registry.flush();
    const pushed = pushes.some((p) => [...p.typeUrls].includes(TypeUrl.routeConfiguration));
    pushes.length = 0;
    return pushed;
  }

  it('permits the backend when a grant is created, and revokes it when the grant is deleted', () => {
    expect(echoShareFails()).toBe(true);
    store.apply([grant({ from: fromDemoRoutes, to: toService('echo-v1') })], { author: 'test' });
    expect(pushedRouteConfigurations()).toBe(true);
    expect(registry.snapshot().referenceGrants.has('backend/from-demo')).toBe(true);
    expect(echoShareFails()).toBe(false);

    store.delete({ kind: 'ReferenceGrant', namespace: 'backend', name: 'from-demo' }, { author: 'test' });
    expect(pushedRouteConfigurations()).toBe(true);
    expect(registry.snapshot().referenceGrants.size).toBe(0);
    expect(echoShareFails()).toBe(true);
  });
});
