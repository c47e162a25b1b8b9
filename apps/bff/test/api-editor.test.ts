import { describe, expect } from 'vitest';
import { expectFailure } from './support/api-harness';
import { it } from './support/api-test';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web } }
spec:
  serviceAccountName: web
  nodeName: node-1
  containers: [{ name: web, image: web, ports: [{ containerPort: 8080 }] }]
status: { phase: Running, podIP: 127.10.0.5 }
`;

// An ALLOW policy with HTTP methods that ztunnel enforces: analysis says ztunnel drops the rule, at spec.rules[0].to[0].operation.methods.
const L7_AT_ZTUNNEL = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: web-get-only
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  action: ALLOW
  rules:
    - to:
        - operation:
            methods: ["GET"]
`;

describe('the editor check (resources.validate) and config history (history.list)', () => {
  it('places analysis messages on the line of the field they name, and writes nothing', async ({ api, client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const before = api.controlPlane.store.currentResourceVersion();
    const report = await client.resources.validate.query({ yaml: L7_AT_ZTUNNEL });
    expect(report.valid).toBe(true);
    expect(report.documents).toEqual([
      expect.objectContaining({ document: 0, kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-get-only', action: 'created' }),
    ]);
    const dropped = report.problems.find((p) => p.code === 'AMB0001');
    // Line 14 is `methods: ["GET"]`; column 13 is where the key starts.
    expect(dropped).toMatchObject({ level: 'Warning', path: 'spec.rules[0].to[0].operation.methods', line: 14, column: 13 });
    expect(api.controlPlane.store.currentResourceVersion()).toBe(before);
    expect(api.controlPlane.store.get({ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-get-only' })).toBeUndefined();

    // A draft that drops the L7 field from a stored policy is not blamed for the stored version's problem.
    await client.resources.applyManifests.mutate({ yaml: L7_AT_ZTUNNEL });
    const fixed = await client.resources.validate.query({ yaml: L7_AT_ZTUNNEL.replace('methods: ["GET"]', 'ports: ["8080"]') });
    expect(fixed.problems.filter((p) => p.code.startsWith('AMB'))).toEqual([]);
    expect(fixed.documents[0]?.action).toBe('configured');
  });

  it('reports broken YAML, a wrong kind, a bad field, a missing namespace and a stale version at their lines, and changes nothing', async ({
    api,
    client,
  }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const syntax = await client.resources.validate.query({ yaml: 'kind: AuthorizationPolicy\nspec: [1, 2\nmetadata: x\n' });
    expect(syntax.valid).toBe(false);
    expect(syntax.problems[0]).toMatchObject({ level: 'Error', code: 'InvalidYaml', document: 0 });

    const wrongKind = await client.resources.validate.query({
      yaml: L7_AT_ZTUNNEL.replace('kind: AuthorizationPolicy', 'kind: AuthorisationPolicy'),
    });
    expect(wrongKind.valid).toBe(false);
    expect(wrongKind.problems).toEqual([expect.objectContaining({ code: 'UnknownKind', path: 'kind', line: 2 })]);

    const badAction = await client.resources.validate.query({ yaml: L7_AT_ZTUNNEL.replace('action: ALLOW', 'action: PERMIT') });
    expect(badAction.problems).toEqual([expect.objectContaining({ code: 'SchemaValidation', path: 'spec.action', line: 10 })]);

    const noNamespace = await client.resources.validate.query({ yaml: L7_AT_ZTUNNEL.replace('namespace: shop', 'namespace: nowhere') });
    expect(noNamespace.valid).toBe(false);
    expect(noNamespace.problems).toContainEqual(
      expect.objectContaining({
        code: 'NamespaceNotFound',
        path: 'metadata.namespace',
        line: 5,
        message: expect.stringContaining('"nowhere" does not exist'),
      }),
    );

    await client.resources.applyManifests.mutate({ yaml: L7_AT_ZTUNNEL });
    const readAt = api.controlPlane.store.get({ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-get-only' })?.metadata
      .resourceVersion;
    await client.resources.applyManifests.mutate({ yaml: L7_AT_ZTUNNEL.replace('"GET"', '"HEAD"') });
    const stale = await client.resources.validate.query({
      yaml: L7_AT_ZTUNNEL.replace('  namespace: shop\n', `  namespace: shop\n  resourceVersion: "${readAt}"\n`),
    });
    expect(stale.valid).toBe(false);
    expect(stale.problems).toContainEqual(expect.objectContaining({ code: 'Conflict', path: 'metadata.resourceVersion', line: 6 }));
    expect(api.controlPlane.store.get({ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-get-only' })?.spec).toMatchObject({
      rules: [{ to: [{ operation: { methods: ['HEAD'] } }] }],
    });

    expect(await expectFailure(client.resources.validate.query({ yaml: 'x'.repeat(9_000) }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists every change to every object newest first, with before and after, filtered, deleted objects included', async ({ client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    await client.resources.applyManifests.mutate({ yaml: L7_AT_ZTUNNEL });
    await client.resources.applyManifests.mutate({ yaml: L7_AT_ZTUNNEL.replace('"GET"', '"HEAD"') });
    await client.resources.delete.mutate({ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-get-only' });

    const all = await client.history.list.query();
    expect(all.changes.slice(0, 3).map((c) => [c.operation, c.key.kind, c.key.name, c.author])).toEqual([
      ['delete', 'AuthorizationPolicy', 'web-get-only', 'admin'],
      ['update', 'AuthorizationPolicy', 'web-get-only', 'admin'],
      ['create', 'AuthorizationPolicy', 'web-get-only', 'admin'],
    ]);
    const update = all.changes[1];
    expect(update?.changedPaths).toEqual(['spec.rules[0].to[0].operation.methods[0]']);
    expect(update?.before?.spec).toMatchObject({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(update?.after?.spec).toMatchObject({ rules: [{ to: [{ operation: { methods: ['HEAD'] } }] }] });
    expect(all.authors).toContain('admin');
    expect(all.keepsHistory).toBe(true);

    const policies = await client.history.list.query({ kind: 'authorizationpolicies', operation: 'update' });
    expect(policies.changes.map((c) => c.revision)).toEqual([2]);
    const pods = await client.history.list.query({ kind: 'Pod', namespace: 'shop', name: 'web' });
    expect(pods.changes.map((c) => c.key.name)).toEqual(['web-1']);
    expect((await client.history.list.query({ since: new Date(Date.now() + 60_000).toISOString() })).changes).toEqual([]);
    expect(await expectFailure(client.history.list.query({ kind: 'Gizmo' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
