import { describe, expect, it } from 'vitest';
import { ambitFailure } from '../../test/support/ambit-failure';
import { readManifests } from './manifests';
import { validateObject } from './validate';

const failure = (fn: () => unknown) => ambitFailure(fn);

// The shape of Gateway API's gRPC routing guide and its mesh conformance manifests.
const UPSTREAM_STYLE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: grpc-app-1
  namespace: gateway-conformance-infra
spec:
  parentRefs:
  - name: same-namespace
  hostnames:
  - my.example.com
  rules:
  - matches:
    - method:
        service: com.example.User
        method: Login
    - method:
        type: RegularExpression
        service: "com\\\\.example\\\\..*"
      headers:
      - name: env
        value: canary
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Header-Set
          value: set-overwrites-values
        remove: [X-Header-Remove]
    - type: RequestMirror
      requestMirror:
        backendRef:
          name: grpc-infra-backend-v2
          port: 8080
    backendRefs:
    - name: grpc-infra-backend-v1
      port: 8080
      weight: 70
    - name: grpc-infra-backend-v2
      port: 8080
      weight: 30
      filters:
      - type: ResponseHeaderModifier
        responseHeaderModifier:
          add:
          - name: X-Backend
            value: v2
`;

function grpcRoute(spec: unknown, apiVersion = 'gateway.networking.k8s.io/v1') {
  return { apiVersion, kind: 'GRPCRoute', metadata: { name: 'r', namespace: 'demo' }, spec };
}

function paths(spec: unknown): string[] {
  return failure(() => validateObject(grpcRoute(spec))).details.map((d) => `${d.path}: ${d.message}`);
}

describe('GRPCRoute schema', () => {
  it('accepts an upstream-style GRPCRoute and stores it at v1', () => {
    const [route] = readManifests(UPSTREAM_STYLE);
    expect(route?.object.kind).toBe('GRPCRoute');
    expect(route?.object.apiVersion).toBe('gateway.networking.k8s.io/v1');
  });

  it('accepts v1alpha2 manifests and a service mesh parentRef', () => {
    const spec = {
      parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 7070 }],
      rules: [{ matches: [{ method: { method: 'Echo' } }], backendRefs: [{ name: 'echo-v1', port: 7070 }] }],
    };
    expect(validateObject(grpcRoute(spec, 'gateway.networking.k8s.io/v1alpha2')).kind).toBe('GRPCRoute');
  });

  it('refuses a method match with neither service nor method', () => {
    expect(paths({ rules: [{ matches: [{ method: { type: 'Exact' } }] }] })).toEqual([
      "spec.rules[0].matches[0].method: one or both of 'service' or 'method' must be specified",
    ]);
  });

  it('refuses Exact names a protobuf name cannot have, but not regular expressions', () => {
    expect(paths({ rules: [{ matches: [{ method: { service: 'foo/bar', method: 'Get-It' } }] }] })).toEqual([
      'spec.rules[0].matches[0].method.service: must be a gRPC service name such as helloworld.Greeter',
      'spec.rules[0].matches[0].method.method: must be a gRPC method name such as SayHello',
    ]);
    expect(validateObject(grpcRoute({ rules: [{ matches: [{ method: { type: 'RegularExpression', method: 'Get.*' } }] }] })).kind).toBe(
      'GRPCRoute',
    );
  });

  it('refuses filters GRPCRoute does not have, and a repeated header modifier', () => {
    const redirect = { type: 'RequestRedirect', requestRedirect: { statusCode: 301 } };
    expect(paths({ rules: [{ filters: [redirect] }] }).map((p) => p.split(':')[0])).toEqual([
      'spec.rules[0].filters[0].type',
      'spec.rules[0].filters[0].requestRedirect',
    ]);
    const modifier = { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['x'] } };
    expect(paths({ rules: [{ filters: [modifier, modifier] }] })).toEqual([
      'spec.rules[0].filters[1].type: RequestHeaderModifier filter cannot be repeated',
    ]);
  });

  it('refuses more than 8 matches in a rule and a header match without a value', () => {
    const nine = Array.from({ length: 9 }, () => ({ method: { service: 'a.B' } }));
    expect(paths({ rules: [{ matches: nine }] })[0]).toMatch(/^spec\.rules\[0\]\.matches: /);
    expect(paths({ rules: [{ matches: [{ headers: [{ name: 'env' }] }] }] })[0]).toMatch(
      /^spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.value: /,
    );
  });
});
