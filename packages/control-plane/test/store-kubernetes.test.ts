// Kubernetes mode of the store and leader election, against a STAND-IN API server
// (test/support/kube-api-server.ts): there is no Kubernetes API server on these machines. The
// stand-in follows the API's documented list/watch, bookmark, 410 Expired, server-side apply and
// Lease behaviour; what it simplifies is listed at the top of that file.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry/index';
import { STORE_WRITERS, type WatchEvent } from '../src/store/index';
import { KubeApi, KubernetesStore, type KubernetesStoreOptions, LeaderElector } from '../src/store/kubernetes/index';
import { FakeKubeApiServer } from './support/kube-api-server';

let server: FakeKubeApiServer;
let kubeConfig: KubeConfig;
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  server = new FakeKubeApiServer();
  await server.start();
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeconfig());
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.stop();
});

async function openStore(options: Partial<KubernetesStoreOptions> = {}): Promise<KubernetesStore> {
  const store = await KubernetesStore.open({ kubeConfig, retryMs: 50, ...options });
  cleanups.push(() => store.close());
  return store;
}

/** Another client (kubectl, a GitOps tool) writing with its own field manager. */
async function applyAs(manager: string, object: Record<string, unknown>, force = false): Promise<number> {
  const api = new KubeApi(kubeConfig);
  const { kind, metadata } = object as { kind: string; metadata: { name: string; namespace?: string } };
  const { apiResource, objectPath } = await import('../src/store/kubernetes/index');
  const response = await api.send('PATCH', objectPath(apiResource(kind), metadata.namespace ?? '', metadata.name), {
    query: { fieldManager: manager, force: String(force) },
    contentType: 'application/apply-patch+yaml',
    body: object,
  });
  return response.status;
}

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const demo = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { 'istio.io/dataplane-mode': 'ambient' } } };
const reviews = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'reviews', namespace: 'demo', labels: { app: 'reviews' } },
  spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
};

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'demo', labels: { app: 'reviews', version: 'v1' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [{ name: 'app', image: 'reviews' }] },
  };
}

/** The reviews route sending everything to one backend with `weight`. */
const route = (weight: number) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'reviews', namespace: 'demo' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
    rules: [{ backendRefs: [{ name: 'reviews', port: 9080, weight }] }],
  },
});

describe('Kubernetes store on the stand-in API server', () => {
  it('lists every watched kind at start and serves reads from the caches, as the registry needs', async () => {
    expect(await applyAs('kubectl', demo)).toBe(201);
    expect(await applyAs('kubectl', reviews)).toBe(201);
    const store = await openStore();
    const services = store.list('Service', 'demo');
    expect(services.map((s) => s.metadata.name)).toEqual(['reviews']);
    // List items come without kind and apiVersion; the store fills them in.
    expect(services[0]).toMatchObject({ apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 9080 }] } });
    expect(store.get({ kind: 'Namespace', namespace: '', name: 'demo' })?.metadata.labels).toEqual({
      'istio.io/dataplane-mode': 'ambient',
    });
    const registry = createRegistry(store);
    cleanups.push(() => registry.close());
    expect([...registry.snapshot().services.keys()].some((k) => k.includes('reviews'))).toBe(true);
    // One list and a watch with bookmarks per kind.
    expect(server.requests).toContain('GET /api/v1/services');
    await waitFor('the watch with bookmarks', () =>
      server.requests.some((r) => r.startsWith('GET /api/v1/services?watch=true') && r.includes('allowWatchBookmarks=true')),
    );
  });

  it('delivers watch events (added, modified, status-only, deleted) in order, and bookmarks advance a quiet watch', async () => {
    await applyAs('kubectl', demo);
    const store = await openStore();
    const events: WatchEvent[] = [];
    store.watch(store.currentResourceVersion(), (e) => events.push(e));
    await applyAs('kubectl', reviews);
    await applyAs('kubectl', { ...reviews, spec: { ...reviews.spec, ports: [{ name: 'http', port: 9081 }] } });
    const canary = {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'reviews', namespace: 'demo' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' },
        service: { port: 9080 },
        analysis: { interval: '10s' },
      },
    };
    await store.applyAsync([canary], { author: 'test' });
    await waitFor('the canary in the cache', () => store.get({ kind: 'Canary', namespace: 'demo', name: 'reviews' }));
    const before = store.get({ kind: 'Canary', namespace: 'demo', name: 'reviews' });
    const updated = await store.updateStatusAsync({ kind: 'Canary', namespace: 'demo', name: 'reviews' }, { phase: 'Initialized' });
    expect(updated.metadata.generation).toBe(before?.metadata.generation);
    expect(updated.metadata.resourceVersion).not.toBe(before?.metadata.resourceVersion);
    await store.deleteAsync({ kind: 'Service', namespace: 'demo', name: 'reviews' }, { author: 'test' });
    await waitFor('five events', () => events.length >= 5);
    expect(events.map((e) => `${e.type} ${e.object.kind} ${e.subresource}`)).toEqual([
      'ADDED Service ',
      'MODIFIED Service ',
      'ADDED Canary ',
      'MODIFIED Canary status',
      'DELETED Service ',
    ]);
    expect(events.map((e) => e.resourceVersion)).toEqual([...events.map((e) => e.resourceVersion)].sort((a, b) => a - b));
    // The Pod watch saw nothing of this; a bookmark moves it to the server's current version.
    const pods = store.reflector('Pod');
    const quiet = pods?.resourceVersion;
    server.sendBookmarks();
    await waitFor('the bookmark', () => pods?.resourceVersion === String(server.currentResourceVersion()));
    expect(Number(pods?.resourceVersion)).toBeGreaterThan(Number(quiet));
  });

  it('relists after 410 Gone (Expired) and reconciles what the broken watch missed', async () => {
    await applyAs('kubectl', demo);
    await applyAs('kubectl', pod('reviews-a'));
    const store = await openStore();
    const events: WatchEvent[] = [];
    store.watch(store.currentResourceVersion(), (e) => events.push(e));
    expect(store.reflector('Pod')?.lists).toBe(1);
    server.partition();
    // Changes the open watch never hears of.
    const api = new KubeApi(kubeConfig);
    await api.call('DELETE', '/api/v1/namespaces/demo/pods/reviews-a');
    await applyAs('kubectl', pod('reviews-b'));
    expect(store.list('Pod', 'demo').map((p) => p.metadata.name)).toEqual(['reviews-a']);
    server.expireWatches();
    await waitFor(
      'the relist',
      () =>
        store
          .list('Pod', 'demo')
          .map((p) => p.metadata.name)
          .join() === 'reviews-b',
    );
    expect(store.reflector('Pod')?.lists).toBe(2);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(['ADDED reviews-b', 'DELETED reviews-a']);
    // And it watches again from the new list's version.
    await applyAs('kubectl', pod('reviews-c'));
    await waitFor('a new watch event', () => store.get({ kind: 'Pod', namespace: 'demo', name: 'reviews-c' }));
  });

  it('surfaces a server-side apply conflict with the field and the manager that owns it, and writes nothing of the batch', async () => {
    const store = await openStore();
    const created = await store.applyAsync([demo, reviews], { author: 'alice' });
    expect(created.map((r) => r.action)).toEqual(['created', 'created']);
    expect(server.requests.some((r) => r.startsWith('PATCH /api/v1/namespaces/demo/services/reviews?fieldManager=ambit&force=false'))).toBe(
      true,
    );
    // Someone changes the ports with kubectl; the ports are now theirs.
    const edited = { ...reviews, spec: { ...reviews.spec, ports: [{ name: 'http', port: 9999 }] } };
    expect(await applyAs('kubectl-edit', edited, true)).toBe(200);
    const mine = { ...reviews, spec: { ...reviews.spec, ports: [{ name: 'http', port: 8080 }] } };
    const other = { ...reviews, metadata: { ...reviews.metadata, name: 'ratings' } };
    const failure = await store.applyAsync([other, mine], { author: 'alice' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining('conflict with "kubectl-edit": .spec.ports'),
      details: [{ object: 'Service/demo/reviews', path: 'spec.ports', message: expect.stringContaining('apply with force') }],
    });
    // All or nothing: the batch was dry-run first, so "ratings" was not created either.
    expect(server.object('Service', 'demo', 'ratings')).toBeUndefined();
    expect(server.object('Service', 'demo', 'reviews')?.spec).toMatchObject({ ports: [{ port: 9999 }] });
    const forced = await store.applyAsync([mine], { author: 'alice', force: true });
    expect(forced[0]?.action).toBe('configured');
    const stored = server.object('Service', 'demo', 'reviews') as { metadata: { managedFields: { manager: string; fieldsV1: object }[] } };
    const managers = stored.metadata.managedFields;
    expect(managers.find((m) => m.manager === 'ambit')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:ports': {} } });
  });

  it('applies as each writer’s own field manager, so a console edit of a field the rollout controller owns is a conflict naming it', async () => {
    const store = await openStore();
    await store.applyAsync([demo, route(100)], { author: 'alice', writer: STORE_WRITERS.console });
    await store.applyAsync([route(90)], { author: 'system:rollout-controller', writer: STORE_WRITERS.rolloutController, force: true });
    const status = { parents: [] };
    await store.updateStatusAsync({ kind: 'HTTPRoute', namespace: 'demo', name: 'reviews' }, status, {
      writer: STORE_WRITERS.rolloutController,
    });
    const writes = server.requests.filter((r) => r.includes('/httproutes/reviews'));
    // The console's create (no dry run: its batch creates the namespace), the controller's dry run and apply, its status write.
    expect(writes.map((r) => `${r.split(' ')[0]} ${/fieldManager=([^&]+)/.exec(r)?.[1]}`)).toEqual([
      'PATCH ambit-console',
      'PATCH ambit-rollout-controller',
      'PATCH ambit-rollout-controller',
      'PUT ambit-rollout-controller',
    ]);
    const stored = server.object('HTTPRoute', 'demo', 'reviews') as { metadata: { managedFields: { manager: string }[] } };
    expect(stored.metadata.managedFields.map((m) => m.manager).sort()).toEqual(['ambit-console', 'ambit-rollout-controller']);
    // The user re-applies the old weight: Kubernetes refuses, naming the controller that owns the field now.
    await expect(store.applyAsync([route(100)], { author: 'alice', writer: STORE_WRITERS.console })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining('conflict with "ambit-rollout-controller"'),
    });
    // A write that names no writer applies as `ambit`.
    await store.applyAsync([{ ...reviews }], { author: 'script' });
    expect(server.requests.some((r) => r.startsWith('PATCH /api/v1/namespaces/demo/services/reviews?fieldManager=ambit&'))).toBe(true);
  });

  it('lets a writer take over fields Ambit applied as one field manager (`ambit`) before writers had their own', async () => {
    const store = await openStore();
    // Written as every Ambit write was before: no writer, field manager `ambit`.
    await store.applyAsync([demo, route(100)], { author: 'alice' });
    const edited = await store.applyAsync([route(80)], { author: 'alice', writer: STORE_WRITERS.console });
    expect(edited[0]?.action).toBe('configured');
    const stored = server.object('HTTPRoute', 'demo', 'reviews') as {
      spec: { rules: { backendRefs: { weight: number }[] }[] };
      metadata: { managedFields: { manager: string }[] };
    };
    expect(stored.spec.rules[0]?.backendRefs[0]?.weight).toBe(80);
    expect(stored.metadata.managedFields.map((m) => m.manager)).toContain('ambit-console');
  });

  it('refuses every write in read-only mode (a cluster Ambit is not in charge of)', async () => {
    const store = await openStore({ readOnly: true });
    await expect(store.applyAsync([demo], { author: 'x' })).rejects.toMatchObject({ code: 'PermissionDenied' });
    expect(server.object('Namespace', '', 'demo')).toBeUndefined();
    expect(() => store.revert({ kind: 'Service', namespace: 'demo', name: 'reviews' })).toThrow(/keeps no revisions/);
  });
});

describe('the stand-in API server keeps to the documented protocol', () => {
  it('answers a watch from a compacted resourceVersion with an ERROR event: Status 410, reason Expired', async () => {
    await applyAs('kubectl', demo);
    const old = server.currentResourceVersion() - 1;
    server.compact();
    const api = new KubeApi(kubeConfig);
    const response = await api.send('GET', '/api/v1/namespaces', { query: { watch: 'true', resourceVersion: String(old) } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      type: 'ERROR',
      object: {
        kind: 'Status',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: expect.stringMatching(/^too old resource version/),
      },
    });
  });

  it('lists items without kind and apiVersion, at the list’s resourceVersion, and refuses a stale delete precondition', async () => {
    await applyAs('kubectl', demo);
    await applyAs('kubectl', reviews);
    const api = new KubeApi(kubeConfig);
    const list = await api.call<{ kind: string; metadata: { resourceVersion: string }; items: Record<string, unknown>[] }>(
      'GET',
      '/api/v1/services',
    );
    expect(list.kind).toBe('ServiceList');
    expect(list.metadata.resourceVersion).toBe(String(server.currentResourceVersion()));
    expect(list.items[0]?.kind).toBeUndefined();
    const store = await openStore();
    await expect(
      store.deleteAsync({ kind: 'Service', namespace: 'demo', name: 'reviews' }, { author: 'x', resourceVersion: '1' }),
    ).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('the object has been modified') });
    expect(server.object('Service', 'demo', 'reviews')).toBeDefined();
  });
});

describe('leader election on a coordination.k8s.io/v1 Lease', () => {
  function candidate(identity: string, log: string[]) {
    const elector = new LeaderElector({
      api: new KubeApi(kubeConfig),
      namespace: 'istio-system',
      identity,
      leaseDurationSeconds: 1,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      onStartedLeading: () => log.push(`${identity} leads`),
      onStoppedLeading: () => log.push(`${identity} stops`),
    });
    cleanups.push(() => elector.stop({ release: false }));
    return elector;
  }

  beforeEach(async () => {
    await applyAs('kubectl', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
  });

  it('lets one replica lead, and hands over when the leader stops renewing', async () => {
    const log: string[] = [];
    const a = candidate('replica-a', log);
    const b = candidate('replica-b', log);
    a.start();
    await waitFor('a to lead', () => a.isLeader());
    b.start();
    // b keeps trying, but the Lease is held and renewed: never two leaders.
    for (let i = 0; i < 10; i++) {
      expect(a.isLeader() && b.isLeader()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(b.isLeader()).toBe(false);
    expect(b.currentLeader()).toBe('replica-a');
    // a hangs (stops renewing, does not release): b takes over once the lease duration passed.
    await a.stop({ release: false });
    const stoppedAt = Date.now();
    await waitFor('b to lead', () => b.isLeader(), 5_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(900);
    const lease = server.object('Lease', 'istio-system', 'ambit-control-plane') as { spec: Record<string, unknown> };
    expect(lease.spec).toMatchObject({ holderIdentity: 'replica-b', leaseDurationSeconds: 1, leaseTransitions: 1 });
    expect(String(lease.spec.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(log).toEqual(['replica-a leads', 'replica-a stops', 'replica-b leads']);
  });

  it('hands over at once when the leader releases the Lease on shutdown', async () => {
    const log: string[] = [];
    const a = candidate('replica-a', log);
    const b = candidate('replica-b', log);
    a.start();
    await waitFor('a to lead', () => a.isLeader());
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.stop();
    const stoppedAt = Date.now();
    await waitFor('b to lead', () => b.isLeader(), 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(900);
  });
});
