import { describe, expect, it } from 'vitest';
import { formatMessages } from '../src/analysis';
import { ambientMesh, httpRoute, namespace, only, run, service, summary, toService } from './analysis-fixtures';

const services = [
  service('reviews', { app: 'reviews' }),
  service('reviews-v1', { app: 'reviews', version: 'v1' }),
  service('reviews-v2', { app: 'reviews', version: 'v2' }),
];

function backend(name: string, weight?: number) {
  return weight === undefined ? { name, port: 9080 } : { name, port: 9080, weight };
}

describe('analysis: HTTPRoutes, as the shared route compiler sees them', () => {
  const faultFilter = { type: 'ExtensionRef', extensionRef: { group: 'networking.ambit.dev', kind: 'FaultInjection', name: 'abort-half' } };
  const faultRoute = httpRoute('reviews', {
    parentRefs: [toService('reviews')],
    rules: [{ filters: [faultFilter], backendRefs: [backend('reviews-v1')] }],
  });

  it('accepts an ExtensionRef to an existing FaultInjection', () => {
    const fault = {
      apiVersion: 'networking.ambit.dev/v1alpha1',
      kind: 'FaultInjection',
      metadata: { name: 'abort-half', namespace: 'demo' },
      spec: { abort: { httpStatus: 503, percentage: 50 } },
    };
    expect(only(run([...ambientMesh(), ...services, fault, faultRoute]), 'IST0101', 'AMB0016')).toEqual([]);
  });

  it('reports an ExtensionRef to a FaultInjection that does not exist as IST0101', () => {
    expect(formatMessages(only(run([...ambientMesh(), ...services, faultRoute]), 'IST0101', 'AMB0016'))).toBe(
      'Error [IST0101] (HTTPRoute demo/reviews) spec.rules[0].filters[0].extensionRef: Referenced FaultInjection demo/abort-half not found; matching requests get 500',
    );
  });

  it('reports a backendRef’s ExtensionRef to a FaultInjection that does not exist, with that backend’s share', () => {
    const route = httpRoute('reviews', {
      parentRefs: [toService('reviews')],
      rules: [{ backendRefs: [{ ...backend('reviews-v1', 1), filters: [faultFilter] }, backend('reviews-v2', 1)] }],
    });
    expect(formatMessages(only(run([...ambientMesh(), ...services, route]), 'IST0101', 'AMB0016'))).toBe(
      "Error [IST0101] (HTTPRoute demo/reviews) spec.rules[0].backendRefs[0].filters[0].extensionRef: Referenced FaultInjection demo/abort-half not found; this backendRef's share of requests gets 500",
    );
  });

  it('reports a backend Service that does not exist as IST0101 on the backendRef, in istioctl form', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [{ backendRefs: [backend('reviews-v1', 90), backend('reviews-v4', 10)] }],
      }),
    ]);
    expect(formatMessages(messages)).toBe(
      'Error [IST0101] (HTTPRoute demo/reviews) spec.rules[0].backendRefs[1]: Referenced Service demo/reviews-v4 not found; its share of requests gets 500',
    );
  });

  it('reports a backend port the Service does not expose, and a mirror target that is missing', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          {
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 9080 } } }],
            backendRefs: [{ name: 'reviews-v1', port: 8080 }],
          },
        ],
      }),
    ]);
    expect(only(messages, 'IST0101').map((m) => [m.path, m.message])).toEqual([
      ['spec.rules[0].backendRefs[0]', 'Referenced port 8080 of Service demo/reviews-v1 not found; its share of requests gets 500'],
      ['spec.rules[0].filters[0].requestMirror.backendRef', 'Referenced Service demo/shadow not found; requests are not mirrored'],
    ]);
  });

  it('reports a rule whose weights are all zero, and one without backends', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          { matches: [{ path: { value: '/a' } }], backendRefs: [backend('reviews-v1', 0), backend('reviews-v2', 0)] },
          { matches: [{ path: { value: '/b' } }] },
        ],
      }),
    ]);
    expect(only(messages, 'AMB0018').map((m) => [m.path, m.message])).toEqual([
      ['spec.rules[0].backendRefs', 'every backendRef has weight 0; matching requests get 500'],
      ['spec.rules[1]', 'rule has no backendRefs; matching requests get 500'],
    ]);
  });

  it('reports a rule shadowed by an earlier one (IST0130) and a single shadowed match of a rule otherwise used (IST0131)', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend('reviews-v1')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend('reviews-v2')] },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }, { path: { type: 'Exact', value: '/v2' } }],
            backendRefs: [backend('reviews-v2')],
          },
        ],
      }),
    ]);
    expect(summary(only(messages, 'IST0130', 'IST0131'))).toEqual([
      'IST0130 HTTPRoute demo/reviews spec.rules[1]',
      'IST0131 HTTPRoute demo/reviews spec.rules[2].matches[0]',
    ]);
    expect(only(messages, 'IST0130')[0]?.message).toBe(
      'This rule is never used: demo/reviews rule 0 match 0 takes precedence and matches every request this match would',
    );
  });

  it('reports filters Ambit cannot apply, and ExtensionRefs it does not know', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          { filters: [{ type: 'CORS', cors: {} }], backendRefs: [backend('reviews-v1')] },
          {
            matches: [{ path: { value: '/x' } }],
            filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Fault', name: 'f' } }],
            backendRefs: [backend('reviews-v1')],
          },
        ],
      }),
    ]);
    expect(summary(only(messages, 'AMB0016'))).toEqual([
      'AMB0016 HTTPRoute demo/reviews spec.rules[0].filters[0].type',
      'AMB0016 HTTPRoute demo/reviews spec.rules[1].filters[0].extensionRef',
    ]);
  });

  it('reports backendRef filters the waypoint cannot apply per backend, on the filter, and accepts a per-backend Host', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          {
            backendRefs: [
              {
                ...backend('reviews-v1', 1),
                filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Host', value: 'reviews.internal' }] } }],
              },
              {
                ...backend('reviews-v2', 1),
                filters: [
                  { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
                  { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews', port: 9080 } } },
                ],
              },
            ],
          },
        ],
      }),
    ]);
    expect(formatMessages(only(messages, 'AMB0016', 'IST0106'))).toBe(
      [
        "Error [AMB0016] (HTTPRoute demo/reviews) spec.rules[0].backendRefs[1].filters[0].urlRewrite.path: a URLRewrite path cannot apply to one backendRef: the waypoint, as Envoy, has it only for a whole rule; this backendRef's share of requests gets 500",
        "Error [AMB0016] (HTTPRoute demo/reviews) spec.rules[0].backendRefs[1].filters[1].type: RequestMirror cannot apply to one backendRef: the waypoint, as Envoy, has it only for a whole rule; this backendRef's share of requests gets 500",
      ].join('\n'),
    );
  });

  it('points out settings with no effect: backends beside a redirect, hostnames on a Service route', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        hostnames: ['reviews.example.com'],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }], backendRefs: [backend('reviews-v1')] }],
      }),
    ]);
    expect(summary(messages)).toEqual([
      'AMB0019 HTTPRoute demo/reviews spec.rules[0].backendRefs',
      'AMB0020 HTTPRoute demo/reviews spec.hostnames',
    ]);
    expect(messages.map((m) => m.level)).toEqual(['Warning', 'Info']);
  });

  it('warns that a route on a Service no waypoint serves has no effect, and when a parentRef port does not exist', () => {
    const messages = run([
      namespace('default'),
      namespace('istio-system'),
      namespace('demo', { 'istio.io/dataplane-mode': 'ambient' }),
      ...services,
      httpRoute('reviews', { parentRefs: [{ ...toService('reviews'), port: 8080 }], rules: [{ backendRefs: [backend('reviews-v1')] }] }),
    ]);
    expect(only(messages, 'AMB0014', 'AMB0015').map((m) => [m.code, m.path, m.message])).toEqual([
      ['AMB0014', 'spec.parentRefs[0]', 'Service demo/reviews has no port matching port 8080; the route does not attach to it'],
      [
        'AMB0015',
        'spec.parentRefs[0]',
        'No waypoint serves Service demo/reviews, and ztunnel does not route HTTP: the route has no effect until the Service or its namespace is labelled istio.io/use-waypoint',
      ],
    ]);
  });

  it('is quiet for a weighted split between existing backends on a Service with a waypoint', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('reviews', {
        parentRefs: [toService('reviews')],
        rules: [
          { matches: [{ headers: [{ name: 'end-user', value: 'jason' }] }], backendRefs: [backend('reviews-v2')] },
          { backendRefs: [backend('reviews-v1', 90), backend('reviews-v2', 10)] },
        ],
      }),
    ]);
    expect(messages).toEqual([]);
  });

  it('compiles routes attached to the waypoint Gateway too', () => {
    const messages = run([
      ...ambientMesh(),
      ...services,
      httpRoute('all', {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
        rules: [{ backendRefs: [backend('gone')] }],
      }),
    ]);
    expect(summary(messages)).toEqual(['IST0101 HTTPRoute demo/all spec.rules[0].backendRefs[0]']);
  });
});
