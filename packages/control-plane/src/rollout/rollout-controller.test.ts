import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Canary, Deployment, KubeObject } from '@ambit/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store';
import { routeCanaryWeight } from './generated-objects';
import { RolloutController } from './rollout-controller';
import type { RolloutStatus } from './rollout-status';

const deployment = (version: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'echo', namespace: 'shop' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'echo' } },
    template: { metadata: { labels: { app: 'echo' } }, spec: { containers: [{ name: 'echo', image: `ambit/echo:${version}` }] } },
  },
});

const CANARY: KubeObject = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name: 'echo', namespace: 'shop' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'echo' },
    service: { port: 8080 },
    analysis: { interval: '1s', threshold: 2, maxWeight: 30, stepWeight: 10 },
  },
};

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the rollout runner on a real store', () => {
  let dir: string;
  let store: SqliteStore;
  let controller: RolloutController | undefined;

  const status = () => (store.get({ kind: 'Canary', namespace: 'shop', name: 'echo' })?.status ?? {}) as RolloutStatus;
  const route = () => store.get({ kind: 'HTTPRoute', namespace: 'shop', name: 'echo' });
  const start = () => {
    controller = new RolloutController({ store, isReady: () => true });
    controller.start();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-rollout-'));
    store = openSqliteStore({ dataDir: dir });
    store.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, deployment('v1'), CANARY], { author: 'test' });
  });
  afterEach(async () => {
    await controller?.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('initializes the objects a Canary owns, steps a new revision, resumes after a restart without a weight jump, promotes', async () => {
    start();
    await until('initialization', () => status().phase === 'Initialized');
    expect(store.get({ kind: 'Deployment', namespace: 'shop', name: 'echo-primary' })).toBeDefined();
    for (const name of ['echo', 'echo-primary', 'echo-canary'])
      expect(store.get({ kind: 'Service', namespace: 'shop', name })).toBeDefined();
    expect(routeCanaryWeight(CANARY as unknown as Canary, route())).toBe(0);
    expect((store.get({ kind: 'Deployment', namespace: 'shop', name: 'echo' }) as unknown as Deployment).spec.replicas).toBe(0);

    store.apply([deployment('v2')], { author: 'test' });
    await until('the first step', () => status().canaryWeight === 10);
    expect(routeCanaryWeight(CANARY as unknown as Canary, route())).toBe(10);

    // A restart: a new controller over the same store picks the run up where the status says.
    await controller?.stop();
    start();
    expect(routeCanaryWeight(CANARY as unknown as Canary, route())).toBe(10);
    await until('promotion', () => status().phase === 'Succeeded');
    const weights = store
      .history({ kind: 'HTTPRoute', namespace: 'shop', name: 'echo' })
      .map((r) => routeCanaryWeight(CANARY as unknown as Canary, r.after));
    expect(weights).toEqual([0, 10, 20, 30, 0]);
    const primary = store.get({ kind: 'Deployment', namespace: 'shop', name: 'echo-primary' }) as unknown as Deployment;
    expect(primary.spec.template.spec.containers[0]?.image).toBe('ambit/echo:v2');
    expect((store.get({ kind: 'Deployment', namespace: 'shop', name: 'echo' }) as unknown as Deployment).spec.replicas).toBe(0);
  });

  it('acts on an approval recorded in the status without waiting for the interval', async () => {
    store.apply(
      [
        {
          ...CANARY,
          spec: {
            ...(CANARY.spec as object),
            analysis: {
              interval: '1m',
              threshold: 2,
              maxWeight: 10,
              stepWeight: 10,
              webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'http://ambit-gate.ambit-system/approve' }],
            },
          },
        },
      ],
      { author: 'test' },
    );
    start();
    await until('initialization', () => status().phase === 'Initialized');
    store.apply([deployment('v2')], { author: 'test' });
    await until('the new revision', () => status().phase === 'Progressing');
    // The run waits one interval (1 m) before its first gate check; an approval does not.
    const current = status();
    store.updateStatus(
      { kind: 'Canary', namespace: 'shop', name: 'echo' },
      {
        ...current,
        ambit: {
          ...current.ambit,
          gate: { type: 'confirm-rollout', webhook: 'gate', url: '', builtIn: true, since: '' },
          approvals: [{ gate: 'confirm-rollout', by: 'alice', at: '' }],
        },
      },
    );
    await until('the first step after the approval', () => status().canaryWeight === 10, 5_000);
  });
});
