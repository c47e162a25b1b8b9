import { describe, expect } from 'vitest';
import type { ChangeEvent } from '../src/server/changes/watch-stream';
import { expectFailure } from './support/api-harness';
import { it } from './support/api-test';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
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

const POLICY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: only-frontend, namespace: shop }
spec:
  selector: { matchLabels: { app: nothing-has-this-label } }
  action: ALLOW
  rules: [{ from: [{ source: { principals: [cluster.local/ns/shop/sa/frontend] } }] }]
`;

describe('resources, analysis and mesh procedures', () => {
  it('applies manifests (created, then unchanged), lists and gets them, and a dry run writes nothing', async ({ api, client }) => {
    const dry = await client.resources.applyManifests.mutate({ yaml: SHOP, dryRun: true });
    expect(dry.results.map((r) => r.action)).toEqual(['created', 'created', 'created']);
    expect(api.controlPlane.store.get({ kind: 'Namespace', namespace: '', name: 'shop' })).toBeUndefined();

    const applied = await client.resources.applyManifests.mutate({ yaml: SHOP });
    expect(applied.results).toEqual([
      { kind: 'Namespace', namespace: '', name: 'shop', action: 'created', resourceVersion: expect.stringMatching(/^\d+$/) },
      { kind: 'Service', namespace: 'shop', name: 'web', action: 'created', resourceVersion: expect.stringMatching(/^\d+$/) },
      { kind: 'Pod', namespace: 'shop', name: 'web-1', action: 'created', resourceVersion: expect.stringMatching(/^\d+$/) },
    ]);
    expect((await client.resources.applyManifests.mutate({ yaml: SHOP })).results.map((r) => r.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);

    const services = await client.resources.list.query({ kind: 'svc', namespace: 'shop' });
    expect(services.items.map((s) => s.metadata.name)).toEqual(['web']);
    expect(services.resourceVersion).toBe(api.controlPlane.store.currentResourceVersion());
    expect((await client.resources.list.query({ kind: 'namespaces' })).items.map((n) => n.metadata.name)).toEqual([
      'default',
      'istio-system',
      'shop',
    ]);
    const pod = await client.resources.get.query({ kind: 'Pod', namespace: 'shop', name: 'web-1' });
    expect(pod.metadata.labels).toEqual({ app: 'web' });
    expect(await expectFailure(client.resources.get.query({ kind: 'Pod', namespace: 'shop', name: 'web-2' }))).toMatchObject({
      code: 'NOT_FOUND',
      httpStatus: 404,
      message: 'Pod/shop/web-2 not found',
    });
  });

  it('returns analysis warnings for what it applies, and analysis.run reports the same', async ({ client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const applied = await client.resources.applyManifests.mutate({ yaml: POLICY });
    expect(applied.results[0]?.action).toBe('created');
    expect(applied.warnings).toEqual([
      expect.objectContaining({
        code: 'IST0127',
        level: 'Warning',
        resource: { kind: 'AuthorizationPolicy', namespace: 'shop', name: 'only-frontend' },
        path: 'spec.selector',
      }),
    ]);
    const { messages } = await client.analysis.run.query({ namespace: 'shop' });
    expect(messages).toEqual(expect.arrayContaining(applied.warnings));
    expect((await client.analysis.run.query({ namespace: 'default' })).messages).toEqual([]);
  });

  it('refuses bad YAML and invalid objects with the document, line and field path, and applies nothing', async ({ api, client }) => {
    const invalid = `${SHOP}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-all, namespace: shop }
spec:
  action: DENI
`;
    const refused = await expectFailure(client.resources.applyManifests.mutate({ yaml: invalid }));
    // Line 27 is `action: DENI`, the field at fault (the document starts on line 23).
    expect(refused).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      message:
        'a problem; nothing was applied: document 3, line 27, AuthorizationPolicy/shop/deny-all: spec.action: Invalid option: expected one of "ALLOW"|"DENY"|"AUDIT"|"CUSTOM"',
      ambit: { code: 'SchemaValidation', details: [expect.objectContaining({ document: 3, line: 27, path: 'spec.action' })] },
    });
    const syntax = await expectFailure(client.resources.applyManifests.mutate({ yaml: 'kind: [Service' }));
    expect(syntax).toMatchObject({
      code: 'BAD_REQUEST',
      ambit: { code: 'InvalidYaml', details: [expect.objectContaining({ document: 0, line: 1 })] },
    });
    expect(syntax.message).toMatch(/^document 0 is not valid YAML: document 0, line 1: /);
    expect(api.controlPlane.store.get({ kind: 'Namespace', namespace: '', name: 'shop' })).toBeUndefined();
  });

  it('answers a stale resourceVersion with CONFLICT naming metadata.resourceVersion', async ({ api, client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const service = await client.resources.get.query({ kind: 'Service', namespace: 'shop', name: 'web' });
    const readAt = service.metadata.resourceVersion;
    const edit = (port: number) =>
      SHOP.split('---\n')[1]
        ?.replace('port: 80,', `port: ${port},`)
        .replace('namespace: shop }', `namespace: shop, resourceVersion: "${readAt}" }`) as string;
    expect((await client.resources.applyManifests.mutate({ yaml: edit(81) })).results[0]?.action).toBe('configured');
    const conflict = await expectFailure(client.resources.applyManifests.mutate({ yaml: edit(82) }));
    expect(conflict).toMatchObject({ code: 'CONFLICT', httpStatus: 409, ambit: { code: 'Conflict' } });
    expect(conflict.message).toMatch(
      /^Service\/shop\/web was changed by someone else: document 0, line 1, Service\/shop\/web: metadata\.resourceVersion: the document was read at resourceVersion \d+, the object is now at \d+; fetch it again and reapply your change$/,
    );
    const staleDelete = await expectFailure(
      client.resources.delete.mutate({ kind: 'svc', namespace: 'shop', name: 'web', resourceVersion: readAt }),
    );
    expect(staleDelete).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`not ${readAt}; it was changed since you read it`),
    });
    expect(api.controlPlane.store.get({ kind: 'Service', namespace: 'shop', name: 'web' })?.spec).toMatchObject({ ports: [{ port: 81 }] });
  });

  it('shows history, reverts to a revision, and deletes', async ({ api, client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    await client.resources.applyManifests.mutate({ yaml: SHOP.replace('port: 80,', 'port: 8000,') });
    const history = await client.resources.history.query({ kind: 'Service', namespace: 'shop', name: 'web' });
    expect(history.map((r) => [r.revision, r.operation, r.author, r.changedPaths])).toEqual([
      [1, 'create', 'admin', expect.any(Array)],
      [2, 'update', 'admin', ['spec.ports[0].port']],
    ]);
    const reverted = await client.resources.revert.mutate({ kind: 'Service', namespace: 'shop', name: 'web', toRevision: 1 });
    expect(reverted.action).toBe('configured');
    expect(reverted.object.spec).toMatchObject({ ports: [{ port: 80 }] });
    expect(
      await expectFailure(client.resources.revert.mutate({ kind: 'Service', namespace: 'shop', name: 'web', toRevision: 9 })),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Service/shop/web has no revision 9; its revisions are 1 to 3',
    });
    const dry = await client.resources.delete.mutate({ kind: 'Service', namespace: 'shop', name: 'web', dryRun: true });
    expect(dry.deleted.metadata.name).toBe('web');
    expect(api.controlPlane.store.get({ kind: 'Service', namespace: 'shop', name: 'web' })).toBeDefined();
    await client.resources.delete.mutate({ kind: 'Service', namespace: 'shop', name: 'web' });
    expect(await expectFailure(client.resources.delete.mutate({ kind: 'Service', namespace: 'shop', name: 'web' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('summarises the mesh from the registry snapshot and the xDS proxy list', async ({ client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const overview = await client.mesh.overview.query();
    expect(overview).toMatchObject({
      namespaces: { total: 3, ambient: 1 },
      services: { total: 1, ambient: 1 },
      workloads: { total: 1, ambient: 1 },
      waypoints: 0,
      ambientCoverage: 1,
      proxies: { connected: 0, byKind: {}, synced: 0 },
    });
    expect(overview.revision).toBeGreaterThan(0);
    expect(await client.proxies.list.query()).toEqual([]);
  });

  it('streams store changes made through the API over SSE, and resumes after the last event id', async ({ client }) => {
    const { resourceVersion } = await client.resources.list.query({ kind: 'Namespace' });
    const events: { id: string; data: ChangeEvent }[] = [];
    let notify: (() => void) | undefined;
    const subscription = client.changes.watch.subscribe(
      { namespace: 'shop', fromResourceVersion: String(resourceVersion) },
      {
        onData: (event) => {
          events.push(event);
          notify?.();
        },
        onError: (error) => {
          throw error;
        },
      },
    );
    const received = async (count: number) => {
      while (events.length < count) await new Promise<void>((resolve) => (notify = resolve));
    };
    try {
      await client.resources.applyManifests.mutate({ yaml: SHOP });
      await received(3);
      expect(events.map((e) => e.data)).toEqual([
        { type: 'ADDED', kind: 'Namespace', namespace: '', name: 'shop', resourceVersion: resourceVersion + 1, subresource: '' },
        { type: 'ADDED', kind: 'Service', namespace: 'shop', name: 'web', resourceVersion: resourceVersion + 2, subresource: '' },
        { type: 'ADDED', kind: 'Pod', namespace: 'shop', name: 'web-1', resourceVersion: resourceVersion + 3, subresource: '' },
      ]);
      expect(events.map((e) => e.id)).toEqual([1, 2, 3].map((n) => String(resourceVersion + n)));
      // Changes outside the namespace are not sent.
      await client.resources.applyManifests.mutate({
        yaml: SHOP.split('---\n')[1]?.replace('namespace: shop', 'namespace: default') as string,
      });
      await client.resources.delete.mutate({ kind: 'Pod', namespace: 'shop', name: 'web-1' });
      await received(4);
      expect(events[3]?.data).toMatchObject({ type: 'DELETED', kind: 'Pod', name: 'web-1', resourceVersion: resourceVersion + 5 });
    } finally {
      subscription.unsubscribe();
    }

    // A client that reconnects with the last id it saw gets what it missed, and nothing twice.
    const resumed: ChangeEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const again = client.changes.watch.subscribe(
        { kinds: ['svc', 'pod'], lastEventId: events[1]?.id ?? null },
        {
          onData: (event) => {
            resumed.push(event.data);
            if (resumed.length === 3) {
              again.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(resumed.map((c) => `${c.type} ${c.kind}/${c.namespace}/${c.name}`)).toEqual([
      'ADDED Pod/shop/web-1',
      'ADDED Service/default/web',
      'DELETED Pod/shop/web-1',
    ]);
  });
});
