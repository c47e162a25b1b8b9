import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ambitFailure } from '../../test/support/ambit-failure';
import { kinds } from './kinds';
import { readManifests } from './manifests';
import { validateObject } from './validate';

const upstream = join(__dirname, '../../../../../shared/testdata/upstream/istio');
const fixtures = join(__dirname, '../../test/fixtures');

const failure = (fn: () => unknown) => ambitFailure(fn);

describe('resource schemas against upstream manifests', () => {
  it.each(['bookinfo.yaml', 'bookinfo-versions.yaml', 'route-all-v1.yaml', 'route-reviews-90-10.yaml'])(
    'accepts Istio %s unchanged',
    (file) => {
      const objects = readManifests(readFileSync(join(upstream, file), 'utf8'));
      expect(objects.length).toBeGreaterThan(0);
    },
  );

  it('stores v1beta1 HTTPRoutes as v1', () => {
    const [route] = readManifests(readFileSync(join(upstream, 'route-reviews-90-10.yaml'), 'utf8'));
    expect(route?.object.apiVersion).toBe('gateway.networking.k8s.io/v1');
  });

  it('has an upstream-style example for every kind it accepts', () => {
    const objects = readManifests(readFileSync(join(fixtures, 'one-of-each-kind.yaml'), 'utf8'));
    expect(new Set(objects.map((o) => o.object.kind))).toEqual(new Set(kinds.map((k) => k.kind)));
  });

  it('keeps fields it does not model, so manifests round-trip', () => {
    const objects = readManifests(readFileSync(join(upstream, 'bookinfo.yaml'), 'utf8'));
    const productpage = objects.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'productpage-v1')?.object;
    expect(JSON.stringify(productpage)).toContain('"volumes"');
    expect(JSON.stringify(productpage)).toContain('"imagePullPolicy":"IfNotPresent"');
  });
});

describe('validation errors name the document, object and field', () => {
  const policy = (operation: unknown) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'p', namespace: 'demo' },
    spec: { rules: [{ to: [{ operation }] }] },
  });

  it('reports a wrong field type with its full path', () => {
    const err = failure(() => validateObject(policy({ ports: ['8080', 9090] }), { document: 2 }));
    expect(err.code).toBe('SchemaValidation');
    expect(err.details).toEqual([
      expect.objectContaining({
        document: 2,
        object: 'AuthorizationPolicy/demo/p',
        path: 'spec.rules[0].to[0].operation.ports[1]',
        message: expect.stringMatching(/expected string/),
      }),
    ]);
  });

  it('rejects unknown fields in mesh kinds instead of dropping them', () => {
    const err = failure(() =>
      validateObject({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec: { rule: [] } }),
    );
    expect(err.details[0]).toMatchObject({ path: 'spec.rule', message: 'unknown field' });
  });

  it('reports a missing required field', () => {
    const err = failure(() =>
      validateObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { listeners: [] } }),
    );
    expect(err.details.map((d) => [d.path, d.message])).toEqual([
      ['spec.gatewayClassName', 'required field is missing'],
      ['spec.listeners', expect.stringMatching(/at least one listener/)],
    ]);
  });

  it('rejects unknown kinds and unserved versions with the fix', () => {
    expect(failure(() => validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).message).toMatch(
      /unknown kind ConfigMap/,
    );
    expect(
      failure(() => validateObject({ apiVersion: 'gateway.networking.k8s.io/v2', kind: 'HTTPRoute', metadata: { name: 'x' }, spec: {} }))
        .message,
    ).toMatch(/use apiVersion gateway.networking.k8s.io\/v1/);
  });

  it('enforces the Gateway API rule that a filter type comes with its field', () => {
    const err = failure(() =>
      validateObject({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'r' },
        spec: { rules: [{ filters: [{ type: 'RequestHeaderModifier', urlRewrite: { hostname: 'x' } }] }] },
      }),
    );
    expect(err.details.map((d) => d.path)).toEqual([
      'spec.rules[0].filters[0].requestHeaderModifier',
      'spec.rules[0].filters[0].urlRewrite',
    ]);
  });

  it('rejects invalid names and cluster-scoped objects with a namespace', () => {
    expect(failure(() => validateObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } })).details[0]?.path).toBe(
      'metadata.name',
    );
    expect(
      failure(() => validateObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } })).details[0]?.path,
    ).toBe('metadata.namespace');
  });

  it('collects the problems of every document of a stream', () => {
    const text = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 0}]}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}',
      'apiVersion: v1\nkind: Widget\nmetadata: {name: c}',
    ].join('\n---\n');
    const err = failure(() => readManifests(text, 'x.yaml'));
    expect(err.message).toBe('2 problems in x.yaml; nothing was applied');
    // Each problem on the line of its field: `spec: {ports: …}` is line 4, the Widget's `kind` line 11.
    expect(err.details.map((d) => [d.document, d.line, d.path])).toEqual([
      [0, 4, 'spec.ports[0].port'],
      [2, 11, 'kind'],
    ]);
  });
});
