import { describe, expect, it } from 'vitest';
import { editableYaml, toYaml } from './yaml-text';

describe('toYaml', () => {
  it('writes a policy as block YAML a user would write, quoting only what YAML would misread', () => {
    const text = toYaml({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-reviews', namespace: 'demo', labels: {} },
      spec: {
        action: 'DENY',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/demo/sa/reviews'] } }],
            to: [{ operation: { ports: ['9080'], methods: ['GET'] } }],
          },
        ],
        selector: { matchLabels: { app: 'ratings', 'istio.io/x': 'true' } },
      },
    });
    expect(text).toBe(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-reviews
  namespace: demo
  labels: {}
spec:
  action: DENY
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/demo/sa/reviews
    to:
    - operation:
        ports:
        - "9080"
        methods:
        - GET
  selector:
    matchLabels:
      app: ratings
      istio.io/x: "true"
`);
  });

  it('quotes strings with YAML meaning: colons, comments, leading symbols, empty', () => {
    expect(toYaml({ a: 'x: y', b: 'a #b', c: '*', d: '', e: '/api/*', f: 'null', g: 12, h: null })).toBe(
      'a: "x: y"\nb: "a #b"\nc: "*"\nd: ""\ne: /api/*\nf: "null"\ng: 12\nh: null\n',
    );
  });

  it('leaves server-owned metadata and status out of an editable object but keeps resourceVersion', () => {
    const text = editableYaml({
      kind: 'PeerAuthentication',
      metadata: { name: 'p', uid: 'u', generation: 2, creationTimestamp: 't', resourceVersion: '42' },
      spec: { mtls: { mode: 'STRICT' } },
      status: { x: 1 },
    });
    expect(text).toBe('kind: PeerAuthentication\nmetadata:\n  name: p\n  resourceVersion: "42"\nspec:\n  mtls:\n    mode: STRICT\n');
  });
});
