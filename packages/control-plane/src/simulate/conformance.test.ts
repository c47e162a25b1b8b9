/**
 * Gateway API mesh conformance cases (kubernetes-sigs/gateway-api conformance/tests/mesh) that need
 * the registry: which routes govern which service port, what a client in another namespace gets, and
 * what the simulator and the analyzer tell the user. Own manifests; each case names the upstream test.
 */
import { type KubeObject, readManifests } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis';
import { bookinfoSnapshot } from '../topology/test-fixtures';
import { findService } from './path';
import { chooseRoute } from './route-choice';
import { simulate } from './simulate';

function objects(yaml: string): KubeObject[] {
  return readManifests(yaml).map(({ object }) => object);
}

/** A Service with two ports, as the upstream mesh tests' echo Services have. */
const ECHO = `apiVersion: v1
kind: Service
metadata: {name: echo, namespace: demo}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 80, targetPort: 9080}, {name: http-alt, port: 8080, targetPort: 9080}]
`;

function routeTo(port: number, path: string, extra: KubeObject[]) {
  const snapshot = bookinfoSnapshot({ waypoint: true, extra });
  return chooseRoute(snapshot, findService(snapshot, 'demo/echo'), port, { method: 'GET', path, host: `echo:${port}`, headers: {} });
}

describe('MeshBasic', () => {
  it('a Service port no route governs sends everything to the Service itself', () => {
    expect(routeTo(80, '/', objects(ECHO))).toMatchObject({
      route: 'default',
      action: 'Forward',
      backends: [{ service: 'demo/echo', port: 80, share: 1 }],
    });
  });
});

describe('MeshPorts', () => {
  const route = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo-80, namespace: demo}
spec:
  parentRefs: [{group: "", kind: Service, name: echo, port: 80}]
  rules: [{backendRefs: [{name: reviews-v2, port: 9080}]}]
`;

  it('a parentRef port governs that port; the other port keeps its default route', () => {
    const extra = objects(ECHO + route);
    expect(routeTo(80, '/', extra)).toMatchObject({ route: 'demo/echo-80', backends: [{ service: 'demo/reviews-v2' }] });
    expect(routeTo(8080, '/', extra)).toMatchObject({ route: 'default', backends: [{ service: 'demo/echo', port: 8080 }] });
  });
});

describe('MeshHTTPRouteRedirectPort / MeshHTTPRouteSchemeRedirect in the simulator', () => {
  const route = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo-redirects, namespace: demo}
spec:
  parentRefs: [{group: "", kind: Service, name: echo}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /port}}]
    filters: [{type: RequestRedirect, requestRedirect: {port: 8083, statusCode: 301}}]
  - matches: [{path: {type: PathPrefix, value: /scheme}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: example.org}}]
  - matches: [{path: {type: PathPrefix, value: /original-prefix}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}}]
`;

  it.each([
    [80, '/port', 301, 'http://echo:8083/port'],
    [80, '/scheme/x?y=1', 302, 'https://example.org/scheme/x?y=1'],
    [80, '/original-prefix/lemon', 302, 'http://echo/replacement-prefix/lemon'],
    [8080, '/original-prefix/lemon', 302, 'http://echo:8080/replacement-prefix/lemon'],
  ])('on port %i, %s → %i with Location %s', (port, path, status, location) => {
    const choice = routeTo(port, path, objects(ECHO + route));
    expect(choice).toMatchObject({ action: 'Redirect', status, location });
    expect(choice.reason).toContain(location);
  });
});

describe('MeshConsumerRoute (not supported: what the user sees)', () => {
  const consumer = `apiVersion: v1
kind: Namespace
metadata: {name: consumer, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews-for-consumer, namespace: consumer}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, namespace: demo}]
  rules: [{backendRefs: [{name: reviews-v2, namespace: demo, port: 9080}]}]
`;
  const request = {
    destination: { service: 'demo/reviews' },
    port: 9080,
    method: 'GET',
    path: '/reviews/0',
  };

  it('the waypoint keeps the producer routes for every client, and the simulator says why for a consumer-namespace client', () => {
    const snapshot = bookinfoSnapshot({ waypoint: true, extra: objects(consumer) });
    const fromConsumer = simulate(snapshot, { ...request, source: { principal: 'cluster.local/ns/consumer/sa/client', ip: '127.9.9.9' } });
    expect(fromConsumer.route).toMatchObject({ route: 'default', backends: [{ service: 'demo/reviews' }] });
    expect(fromConsumer.notes).toContain(
      "consumer/reviews-for-consumer: consumer route(s) for clients in namespace consumer; Ambit's waypoints do not apply consumer routes yet, so this request follows the routes of demo/reviews",
    );

    const fromProducer = simulate(snapshot, { ...request, source: { workload: 'demo/productpage' } });
    expect(fromProducer.route).toMatchObject({ route: 'default' });
    expect(fromProducer.notes.join('\n')).not.toMatch(/consumer route/);
  });

  it('the analyzer warns that the consumer route has no effect', () => {
    const mesh = `apiVersion: v1
kind: Namespace
metadata: {name: demo, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: demo}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: demo}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, namespace: demo}
spec: {selector: {app: reviews, version: v2}, ports: [{name: http, port: 9080}]}
---
`;
    const messages = analyze(objects(mesh + consumer), { rootNamespace: 'istio-system' });
    expect(messages.map((m) => [m.code, m.level, `${m.resource.namespace}/${m.resource.name}`, m.path, m.message])).toEqual([
      [
        'AMB0014',
        'Warning',
        'consumer/reviews-for-consumer',
        'spec.parentRefs[0]',
        "Service demo/reviews is in another namespace, which makes this a consumer route (GAMMA) for clients in consumer; Ambit's waypoints do not apply consumer routes yet, so it has no effect and those clients follow the routes of namespace demo",
      ],
    ]);
  });
});
