import { describe, expect, it } from 'vitest';
import { ambitFailure } from '../../test/support/ambit-failure';
import { lookupKind, resolveKindName } from './kinds';
import { readManifests } from './manifests';
import { validateObject } from './validate';

// Written the way Gateway API's conformance manifests write grants (their data, our text).
const manifests = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: only-backend-v1
  namespace: app-backend
spec:
  from:
    - group: gateway.networking.k8s.io
      kind: HTTPRoute
      namespace: infra
  to:
    - group: ""
      kind: Service
      name: backend-v1
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: ReferenceGrant
metadata:
  name: every-service
  namespace: app-backend
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
  to: [{group: "", kind: Service}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: served-at-v1, namespace: app-backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]
  to: [{group: "", kind: Secret, name: tls}]
`;

const failure = (fn: () => unknown) => ambitFailure(fn);

function grant(spec: unknown): unknown {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace: 'app-backend' },
    spec,
  };
}

const from = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }];
const to = [{ group: '', kind: 'Service' }];

describe('ReferenceGrant (gateway.networking.k8s.io)', () => {
  it('applies upstream-style grants at v1beta1, v1 and v1alpha2, stored at v1beta1, with or without a name in to', () => {
    const objects = readManifests(manifests).map((m) => m.object);
    expect(objects.map((o) => [o.kind, o.apiVersion, o.metadata.name])).toEqual([
      ['ReferenceGrant', 'gateway.networking.k8s.io/v1beta1', 'only-backend-v1'],
      ['ReferenceGrant', 'gateway.networking.k8s.io/v1beta1', 'every-service'],
      ['ReferenceGrant', 'gateway.networking.k8s.io/v1beta1', 'served-at-v1'],
    ]);
    expect(objects[0]?.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }],
      to: [{ group: '', kind: 'Service', name: 'backend-v1' }],
    });
  });

  it('is a kind the command line knows by name, plural and short name', () => {
    for (const name of ['ReferenceGrant', 'referencegrants', 'refgrant', 'referencegrants.gateway.networking.k8s.io']) {
      expect(resolveKindName(name)?.kind).toBe('ReferenceGrant');
    }
    expect(lookupKind('gateway.networking.k8s.io/v1', 'ReferenceGrant')).toHaveProperty('info');
    expect(lookupKind('security.istio.io/v1', 'ReferenceGrant')).toEqual({
      error:
        'ReferenceGrant belongs to API group "gateway.networking.k8s.io", not "security.istio.io"; use apiVersion gateway.networking.k8s.io/v1beta1',
    });
  });

  it('refuses a grant without from or to entries, naming the field', () => {
    const error = failure(() => validateObject(grant({ from: [], to })));
    expect(error.code).toBe('SchemaValidation');
    expect(error.details.map((d) => [d.path, d.message])).toEqual([['spec.from', 'a ReferenceGrant needs at least one from entry']]);
    expect(failure(() => validateObject(grant({ from }))).details.map((d) => [d.path, d.message])).toEqual([
      ['spec.to', 'required field is missing'],
    ]);
    expect(failure(() => validateObject(grant(undefined))).details.map((d) => d.path)).toEqual(['spec']);
  });

  it('refuses more than 16 entries, a from without namespace, a bad kind or group, and unknown fields', () => {
    const seventeen = Array.from({ length: 17 }, (_, i) => ({ ...from[0], namespace: `ns-${i}` }));
    expect(failure(() => validateObject(grant({ from: seventeen, to }))).details.map((d) => [d.path, d.message])).toEqual([
      ['spec.from', 'at most 16 from entries'],
    ]);
    const problems = failure(() =>
      validateObject(
        grant({
          from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          to: [{ group: 'Not_A_Group', kind: 'Ser vice', namespace: 'elsewhere' }],
        }),
      ),
    ).details.map((d) => [d.path, d.message]);
    expect(problems).toEqual([
      ['spec.from[0].namespace', 'required field is missing'],
      ['spec.to[0].group', 'must be an API group ("" for the core group)'],
      ['spec.to[0].kind', 'must be a kind such as HTTPRoute or Service'],
      ['spec.to[0].namespace', 'unknown field'],
    ]);
  });
});
