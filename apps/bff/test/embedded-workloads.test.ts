import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '@ambit/control-plane/store';
import { type Pod, readManifests } from '@ambit/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedWorkloads } from '../src/embedded/mesh';
import { waitUntil } from './wait';

const upstream = join(__dirname, '../../../../shared/testdata/upstream/istio');

function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host, port, path, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function echoDeployment(replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'echo', namespace: 'demo' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'echo' } },
      template: {
        metadata: { labels: { app: 'echo', version: 'v1' } },
        spec: { containers: [{ name: 'echo', image: 'ambit/echo', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

function runningPods(store: SqliteStore, app: string): (Pod & { metadata: { name: string } })[] | undefined {
  const pods = store.list('Pod', 'demo').filter((p) => p.metadata.labels?.app === app) as unknown as (Pod & {
    metadata: { name: string };
  })[];
  return pods.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) ? pods : undefined;
}

describe('embedded workloads', () => {
  let dir: string;
  let store: SqliteStore;
  let mesh: EmbeddedWorkloads;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-embedded-'));
    store = openSqliteStore({ dataDir: join(dir, 'data') });
    store.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }], { author: 'test' });
    mesh = new EmbeddedWorkloads({ store, nodeCount: 2, firstNode: 31, dataDir: dir });
  });
  afterEach(async () => {
    await mesh.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the upstream Bookinfo deployments as processes on their own addresses, spread over the nodes', async () => {
    const manifests = readManifests(readFileSync(join(upstream, 'bookinfo.yaml'), 'utf8'));
    store.apply(
      manifests.map((m) => m.object),
      { author: 'test', defaultNamespace: 'demo' },
    );
    mesh.start();
    const pods = await waitUntil('six Bookinfo pods running', () => {
      const all = store.list('Pod', 'demo') as unknown as Pod[];
      return all.length === 6 && all.every((p) => p.status?.containerStatuses?.[0]?.ready) ? all : undefined;
    });
    expect(new Set(pods.map((p) => p.spec.nodeName))).toEqual(new Set(['node-31', 'node-32']));
    const details = pods.find((p) => p.metadata.labels?.app === 'details') as Pod;
    expect(details.status?.podIP).toMatch(/^127\.4[12]\.1\.\d+$/);
    const answer = await httpGet(details.status?.podIP as string, 9080, '/details/0');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      pod: details.metadata.name,
      service: 'details',
      version: 'v1',
      author: 'William Shakespeare',
    });
    const services = store.list('Service', 'demo');
    expect(services.every((s) => Object.keys((s.status as { nodeAddresses: object }).nodeAddresses).length === 2)).toBe(true);
  });

  it('follows scaling and deletion, and restarts a killed instance', async () => {
    store.apply([echoDeployment(3)], { author: 'test' });
    mesh.start();
    const three = await waitUntil('three echo pods', () => {
      const pods = runningPods(store, 'echo');
      return pods?.length === 3 ? pods : undefined;
    });
    store.apply([echoDeployment(1)], { author: 'test' });
    await waitUntil('one echo pod', () => store.list('Pod', 'demo').length === 1);
    const [survivor] = three.filter((p) => store.get({ kind: 'Pod', namespace: 'demo', name: p.metadata.name }));
    const pid = mesh.supervisor.status(`pod/demo/${survivor?.metadata.name}`)?.pid as number;
    process.kill(pid, 'SIGKILL');
    const restarted = await waitUntil('the killed pod to restart', () => {
      const pod = store.get({ kind: 'Pod', namespace: 'demo', name: survivor?.metadata.name as string }) as unknown as Pod;
      const status = pod.status?.containerStatuses?.[0];
      return status?.restartCount === 1 && status.ready ? pod : undefined;
    });
    expect(restarted.status?.podIP).toBe(survivor?.status?.podIP);
    store.delete({ kind: 'Deployment', namespace: 'demo', name: 'echo' }, { author: 'test' });
    await waitUntil('no pods', () => store.list('Pod', 'demo').length === 0 && mesh.supervisor.list().length === 0);
  });
});
