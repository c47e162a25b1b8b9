import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './store/sqlite-store';
import { WaypointDeployer } from './waypoint-deployer';

const gateway = (name: string, gatewayClassName: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'shop' },
  spec: { gatewayClassName, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
});

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the waypoint controller of Kubernetes mode, on a real store', () => {
  let dir: string;
  let store: SqliteStore;
  let controller: WaypointDeployer | undefined;
  const made = (name: string) => ['ServiceAccount', 'Deployment', 'Service'].map((kind) => store.get({ kind, namespace: 'shop', name }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-waypoints-'));
    store = openSqliteStore({ dataDir: dir });
    store.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { author: 'test' });
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a waypoint with the configured image for Gateways present at start, not for other classes, and removes it when the class changes', async () => {
    store.apply([gateway('waypoint', 'istio-waypoint'), gateway('ingress', 'istio')], { author: 'test' });
    controller = new WaypointDeployer({ store, logger: pino({ level: 'silent' }), image: 'registry.example/ambit:1.2.3' });
    controller.start();
    await until('the waypoint objects', () => made('waypoint').every(Boolean));
    const deployment = store.get({ kind: 'Deployment', namespace: 'shop', name: 'waypoint' }) as unknown as {
      spec: { template: { spec: { containers: { image: string; env: { name: string; value?: string }[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('registry.example/ambit:1.2.3');
    expect(deployment.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'WAYPOINT_NAME', value: 'shop/waypoint' });
    expect(made('ingress').every((o) => o === undefined)).toBe(true);

    store.apply([gateway('waypoint', 'istio')], { author: 'test' });
    await until('the waypoint objects to go', () => made('waypoint').every((o) => o === undefined));
  });

  it('puts back an object someone deleted, and leaves objects not controlled by a Gateway alone', async () => {
    store.apply(
      [
        gateway('waypoint', 'istio-waypoint'),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'shop' }, spec: { ports: [{ port: 9080 }] } },
      ],
      { author: 'test' },
    );
    controller = new WaypointDeployer({ store, logger: pino({ level: 'silent' }) });
    controller.start();
    await until('the waypoint objects', () => made('waypoint').every(Boolean));
    store.delete({ kind: 'Service', namespace: 'shop', name: 'waypoint' }, { author: 'someone' });
    await until('the Service back', () => store.get({ kind: 'Service', namespace: 'shop', name: 'waypoint' }));
    expect(store.get({ kind: 'Service', namespace: 'shop', name: 'reviews' })).toBeDefined();
  });
});
