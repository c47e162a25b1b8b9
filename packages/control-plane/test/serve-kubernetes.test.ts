// `ambit serve --store kubernetes` as a user runs it (the real executable, two replicas), against
// the STAND-IN API server of test/support/kube-api-server.ts: there is no Kubernetes API server on
// these machines. What the stand-in simplifies is listed at the top of that file.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApi } from '../src/store/kubernetes/index';
import { FakeKubeApiServer } from './support/kube-api-server';

const BIN = join(__dirname, '../../../apps/bff/bin/ambit.js');
const LEASE_NAMESPACE = 'ambit-system';

interface Replica {
  identity: string;
  child: ChildProcess;
  /** Standard output (JSON log lines) and standard error so far. */
  output(): string;
  apiUrl: string;
  auth: { cookie: string; csrfToken: string };
}

async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `ambit serve --store kubernetes` on free ports in its own data directory; resolves once its API answers. */
async function startReplica(work: string, identity: string, kubeconfig: string): Promise<Replica> {
  const dataDir = join(work, identity);
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--data-dir',
      dataDir,
      'serve',
      '--store',
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--leader-election-namespace',
      LEASE_NAMESPACE,
      '--port',
      '0',
      '--xds-port',
      '0',
      '--secure-xds-port',
      '0',
      '--monitoring-port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: identity } },
  );
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  const replica = { identity, child, output: () => text } as Replica;
  replicas.push(replica);
  const ready = await waitFor(`${identity} to serve its API`, () => {
    if (child.exitCode !== null) throw new Error(`ambit serve exited with ${child.exitCode}:\n${text}`);
    const url = /Ambit API on (\S+)/.exec(text)?.[1];
    const password = /password: (\S+)/.exec(text)?.[1];
    return url && password ? { url, password } : undefined;
  });
  replica.apiUrl = ready.url;
  replica.auth = await signIn(ready.url, ready.password);
  return replica;
}

async function signIn(apiUrl: string, password: string): Promise<Replica['auth']> {
  const response = await fetch(`${apiUrl}/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const body = (await response.json()) as { result?: { data: { csrfToken: string } } };
  if (!body.result) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(body)}`);
  return { cookie: (response.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '', csrfToken: body.result.data.csrfToken };
}

interface TrpcAnswer<T> {
  result?: { data: T };
  error?: {
    message: string;
    data: { code: string; ambit?: { code: string; details: { path?: string; object?: string; message: string }[] } };
  };
}

/** One tRPC call over plain HTTP, as the console's client makes it (no transformer). */
async function call<T>(replica: Replica, procedure: string, input: unknown, type: 'query' | 'mutation'): Promise<TrpcAnswer<T>> {
  const headers = { cookie: replica.auth.cookie, 'x-ambit-csrf': replica.auth.csrfToken, 'content-type': 'application/json' };
  const response =
    type === 'query'
      ? await fetch(`${replica.apiUrl}/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${replica.apiUrl}/${procedure}`, { method: 'POST', headers, body: JSON.stringify(input) });
  return (await response.json()) as TrpcAnswer<T>;
}

async function stopReplica(replica: Replica): Promise<void> {
  const { child } = replica;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const replicas: Replica[] = [];
let server: FakeKubeApiServer;
let work: string;
let kubeconfig: string;

async function kubeConfig() {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
}

/** Another client (kubectl, a GitOps tool) applying with its own field manager. */
async function applyAs(manager: string, object: Record<string, unknown>, force = false): Promise<number> {
  const kc = await kubeConfig();
  const { apiResource, objectPath } = await import('../src/store/kubernetes/index');
  const { kind, metadata } = object as { kind: string; metadata: { name: string; namespace?: string } };
  const response = await new KubeApi(kc).send('PATCH', objectPath(apiResource(kind), metadata.namespace ?? '', metadata.name), {
    query: { fieldManager: manager, force: String(force) },
    contentType: 'application/apply-patch+yaml',
    body: object,
  });
  return response.status;
}

const service = (name: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'demo' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port }] },
});

describe('ambit serve --store kubernetes (two replicas on the stand-in API server)', { timeout: 60_000 }, () => {
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    server = new FakeKubeApiServer();
    await server.start();
    work = mkdtempSync(join(tmpdir(), 'ambit-serve-kube-'));
    kubeconfig = join(work, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, server.kubeconfig());
    await applyAs('kubectl', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
    await applyAs('kubectl', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    [a, b] = await Promise.all([startReplica(work, 'replica-a', kubeconfig), startReplica(work, 'replica-b', kubeconfig)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.splice(0).map(stopReplica));
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows an object created in the cluster (by kubectl) in the console API', async () => {
    expect(await applyAs('kubectl', service('reviews', 9080))).toBe(201);
    for (const replica of [a, b]) {
      const names = await waitFor('reviews in the resources list', async () => {
        const answer = await call<{ items: { metadata: { name: string } }[] }>(
          replica,
          'resources.list',
          { kind: 'Service', namespace: 'demo' },
          'query',
        );
        const items = answer.result?.data.items.map((i) => i.metadata.name) ?? [];
        return items.includes('reviews') && items;
      });
      expect(names).toEqual(['reviews']);
    }
  });

  it('applies through the console API with server-side apply, field manager "ambit-console", and reads the write back at once', async () => {
    const yaml = `apiVersion: v1\nkind: Service\nmetadata:\n  name: ratings\n  namespace: demo\nspec:\n  selector: {app: ratings}\n  ports: [{name: http, port: 9080}]\n`;
    const applied = await call<{ results: { name: string; action: string }[] }>(a, 'resources.applyManifests', { yaml }, 'mutation');
    expect(applied.error).toBeUndefined();
    expect(applied.result?.data.results).toMatchObject([{ name: 'ratings', action: 'created' }]);
    const stored = server.object('Service', 'demo', 'ratings') as { metadata: { managedFields: { manager: string; operation: string }[] } };
    expect(stored.metadata.managedFields).toContainEqual(expect.objectContaining({ manager: 'ambit-console', operation: 'Apply' }));
    expect(server.requests.some((r) => r.startsWith('PATCH /api/v1/namespaces/demo/services/ratings?fieldManager=ambit-console&'))).toBe(
      true,
    );
    // The mutation resolved once the replica's own cache held the object: no wait needed here.
    const got = await call<{ spec: { ports: { port: number }[] } }>(
      a,
      'resources.get',
      { kind: 'Service', namespace: 'demo', name: 'ratings' },
      'query',
    );
    expect(got.result?.data.spec.ports[0]?.port).toBe(9080);
  });

  it('returns a server-side apply conflict to the API caller, naming the field and its manager; history and revert say Kubernetes keeps none', async () => {
    await call(a, 'resources.applyManifests', { yaml: JSON.stringify(service('details', 9080)) }, 'mutation');
    expect(await applyAs('kubectl-edit', service('details', 9999), true)).toBe(200);
    const mine = JSON.stringify(service('details', 8080));
    const refused = await call(b, 'resources.applyManifests', { yaml: mine }, 'mutation');
    expect(refused.error?.data.code).toBe('CONFLICT');
    expect(refused.error?.message).toContain('conflict with "kubectl-edit"');
    expect(refused.error?.data.ambit?.details).toContainEqual(
      expect.objectContaining({ path: 'spec.ports', message: expect.stringContaining('apply with force') }),
    );
    expect((server.object('Service', 'demo', 'details') as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port).toBe(9999);
    const key = { kind: 'Service', namespace: 'demo', name: 'details' };
    expect((await call<unknown[]>(a, 'resources.history', key, 'query')).result?.data).toEqual([]);
    const revert = await call(a, 'resources.revert', { ...key, toRevision: 1 }, 'mutation');
    expect(revert.error?.message).toMatch(/Kubernetes mode keeps no history/);
  });

  it('elects one leader between the two replicas on the Lease, and only it runs the rollout controller, which acts on the cluster', async () => {
    const holder = await waitFor('a Lease holder', () => {
      const lease = server.object('Lease', LEASE_NAMESPACE, 'ambit-control-plane') as { spec: { holderIdentity?: string } } | undefined;
      return lease?.spec.holderIdentity || undefined;
    });
    expect(['replica-a', 'replica-b']).toContain(holder);
    const [leader, follower] = holder === 'replica-a' ? [a, b] : [b, a];
    // The follower has seen the Lease held by the leader.
    await waitFor('the follower to observe the leader', () => follower.output().includes(`"leader":"${holder}"`));
    expect(leader.output()).toContain('"msg":"became leader"');
    expect(follower.output()).not.toContain('"msg":"became leader"');
    expect(leader.output()).toContain('"msg":"rollout controller started"');
    expect(follower.output()).not.toContain('"msg":"rollout controller started"');
    await waitFor('the leader to start the waypoint controller', () => leader.output().includes('"msg":"waypoint controller started"'));
    expect(follower.output()).not.toContain('"msg":"waypoint controller started"');

    // The leader's rollout controller acts on a Canary created in the cluster: it makes the primary.
    const labels = { app: 'podinfo' };
    await applyAs('kubectl', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', namespace: 'demo', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'podinfo', image: 'podinfo:6' }] } },
      },
    });
    await applyAs('kubectl', {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace: 'demo' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898 },
        analysis: { interval: '10s', threshold: 2, maxWeight: 50, stepWeight: 10 },
      },
    });
    const primary = await waitFor(
      'the primary Deployment',
      () => server.object('Deployment', 'demo', 'podinfo-primary') as { metadata: { managedFields: { manager: string }[] } } | undefined,
    );
    expect(primary.metadata.managedFields.map((m) => m.manager)).toEqual(['ambit-rollout-controller']);
    const canary = await waitFor('the Canary status', () => {
      const object = server.object('Canary', 'demo', 'podinfo') as { status?: { phase?: string } } | undefined;
      return object?.status?.phase ? object : undefined;
    });
    expect(canary.status?.phase).toBe('Initializing');
    expect(
      server.requests.some((r) =>
        r.startsWith('PUT /apis/flagger.app/v1beta1/namespaces/demo/canaries/podinfo/status?fieldManager=ambit-rollout-controller'),
      ),
    ).toBe(true);

    // The leader shuts down: it releases the Lease, and the other replica takes over the controllers.
    await stopReplica(leader);
    expect(leader.child.exitCode).toBe(0);
    await waitFor('the other replica to lead', () => follower.output().includes('"msg":"rollout controller started"'));
    expect(
      (server.object('Lease', LEASE_NAMESPACE, 'ambit-control-plane') as { spec: { holderIdentity: string } }).spec.holderIdentity,
    ).toBe(follower.identity);
  });

  it('has the Lease holder make a waypoint (ServiceAccount, Deployment, Service) for an istio-waypoint Gateway, owned by it, and remove it with the Gateway', async () => {
    const holder = await waitFor('a Lease holder', () => {
      const lease = server.object('Lease', LEASE_NAMESPACE, 'ambit-control-plane') as { spec: { holderIdentity?: string } } | undefined;
      return lease?.spec.holderIdentity || undefined;
    });
    const leader = replicas.find((r) => r.identity === holder) as Replica;
    // The replica that took over from the one stopped above runs it now.
    await waitFor('the leader to start the waypoint controller', () => leader.output().includes('"msg":"waypoint controller started"'));

    // A Gateway of another class gets nothing; the waypoint one gets its three objects.
    await applyAs('kubectl', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'ingress', namespace: 'demo' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    expect(
      await applyAs('kubectl', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: 'demo', labels: { 'istio.io/waypoint-for': 'service' } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      }),
    ).toBe(201);
    const gatewayUid = (server.object('Gateway', 'demo', 'waypoint') as { metadata: { uid: string } }).metadata.uid;
    type Made = {
      metadata: {
        labels: Record<string, string>;
        managedFields: { manager: string; operation: string }[];
        ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
      };
      spec?: Record<string, unknown>;
    };
    const made = await waitFor('the waypoint objects', () => {
      const objects = ['ServiceAccount', 'Deployment', 'Service'].map(
        (kind) => server.object(kind, 'demo', 'waypoint') as Made | undefined,
      );
      return objects.every(Boolean) ? (objects as Made[]) : undefined;
    });
    for (const object of made) {
      expect(object.metadata.managedFields).toEqual([
        expect.objectContaining({ manager: 'ambit-waypoint-controller', operation: 'Apply' }),
      ]);
      expect(object.metadata.ownerReferences).toEqual([
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'waypoint', uid: gatewayUid, controller: true },
      ]);
      expect(object.metadata.labels['gateway.networking.k8s.io/gateway-name']).toBe('waypoint');
    }
    for (const path of [
      '/api/v1/namespaces/demo/serviceaccounts/waypoint',
      '/apis/apps/v1/namespaces/demo/deployments/waypoint',
      '/api/v1/namespaces/demo/services/waypoint',
    ])
      expect(server.requests.some((r) => r.startsWith(`PATCH ${path}?fieldManager=ambit-waypoint-controller&`))).toBe(true);
    const [, deployment, svc] = made as [Made, Made & { spec: { template: { spec: Record<string, unknown> } } }, Made];
    expect(deployment.spec.template.spec).toMatchObject({
      serviceAccountName: 'waypoint',
      containers: [
        {
          name: 'waypoint',
          image: 'ambit/mesh:dev',
          args: ['waypoint', '--xds-root-ca=/etc/ambit/root-cert.pem', '--xds-server-name=istiod.istio-system.svc'],
          env: expect.arrayContaining([{ name: 'WAYPOINT_NAME', value: 'demo/waypoint' }]),
        },
      ],
    });
    expect(svc.spec).toMatchObject({ ports: [{ name: 'mesh', port: 15008, targetPort: 15008 }] });
    expect(server.object('Deployment', 'demo', 'ingress')).toBeUndefined();

    // The Gateway goes: so does its waypoint (the stand-in has no garbage collector; the controller deletes).
    const deleted = await new KubeApi(await kubeConfig()).send(
      'DELETE',
      '/apis/gateway.networking.k8s.io/v1/namespaces/demo/gateways/waypoint',
    );
    expect(deleted.status).toBe(200);
    await waitFor('the waypoint objects to go', () =>
      ['ServiceAccount', 'Deployment', 'Service'].every((kind) => server.object(kind, 'demo', 'waypoint') === undefined),
    );
    expect(server.requests.some((r) => r.startsWith('DELETE /api/v1/namespaces/demo/serviceaccounts/waypoint'))).toBe(true);
  });
});
