import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmbitError, type KubeObject } from '@ambit/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './sqlite-store';
import type { WatchEvent } from './types';

const author = 'test';

function service(name: string, port = 9080, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'demo' },
    spec: { ports: [{ port, name: 'http' }], selector: { app: name } },
    ...extra,
  };
}
const demoNamespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } };

function errorOf(fn: () => unknown): AmbitError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AmbitError) return e;
    throw e;
  }
  throw new Error('expected an AmbitError');
}

describe('SqliteStore', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-store-'));
    store = openSqliteStore({ dataDir: dir });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the default and istio-system namespaces', () => {
    expect(store.list('Namespace').map((n) => n.metadata.name)).toEqual(['default', 'istio-system']);
  });

  it('creates objects with server-owned metadata and leaves identical ones unchanged', () => {
    const [created] = store.apply([demoNamespace, service('reviews')], { author }).slice(1);
    expect(created?.action).toBe('created');
    expect(created?.object.metadata).toMatchObject({ namespace: 'demo', generation: 1 });
    expect(created?.object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const again = store.apply([demoNamespace, service('reviews')], { author });
    expect(again.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(store.history({ kind: 'Service', namespace: 'demo', name: 'reviews' })).toHaveLength(1);
  });

  it('bumps generation on spec changes only and records one revision per change', () => {
    store.apply([demoNamespace, service('reviews')], { author });
    const labelled = store.apply([{ ...service('reviews'), metadata: { name: 'reviews', namespace: 'demo', labels: { team: 'a' } } }], {
      author,
    })[0];
    expect(labelled?.action).toBe('configured');
    expect(labelled?.object.metadata.generation).toBe(1);
    const changed = store.apply([service('reviews', 9081)], { author })[0];
    expect(changed?.object.metadata.generation).toBe(2);
    const history = store.history({ kind: 'Service', namespace: 'demo', name: 'reviews' });
    expect(history.map((h) => [h.revision, h.operation])).toEqual([
      [1, 'create'],
      [2, 'update'],
      [3, 'update'],
    ]);
    expect(history[2]?.changedPaths).toEqual(['metadata.labels', 'spec.ports[0].port']);
  });

  it('refuses a stale resourceVersion and keeps what is stored', () => {
    store.apply([demoNamespace], { author });
    const first = store.apply([service('reviews')], { author })[0]?.object;
    store.apply([service('reviews', 9081)], { author });
    const stale = { ...service('reviews', 9999), metadata: { ...first?.metadata, name: 'reviews', namespace: 'demo' } };
    const err = errorOf(() => store.apply([stale], { author }));
    expect(err.code).toBe('Conflict');
    expect(err.details[0]?.path).toBe('metadata.resourceVersion');
    expect(store.get({ kind: 'Service', namespace: 'demo', name: 'reviews' })?.spec).toMatchObject({ ports: [{ port: 9081 }] });
  });

  it('applies a batch all or nothing', () => {
    store.apply([demoNamespace], { author });
    const err = errorOf(() => store.apply([service('a'), { ...service('b'), metadata: { name: 'b', namespace: 'missing' } }], { author }));
    expect(err.code).toBe('NamespaceNotFound');
    expect(store.get({ kind: 'Service', namespace: 'demo', name: 'a' })).toBeUndefined();
  });

  it('lets a batch create a namespace and objects in it', () => {
    const results = store.apply([demoNamespace, service('a')], { author });
    expect(results.map((r) => r.action)).toEqual(['created', 'created']);
  });

  it('writes nothing on a dry run', () => {
    const results = store.apply([demoNamespace], { author, dryRun: true });
    expect(results[0]?.action).toBe('created');
    expect(store.get({ kind: 'Namespace', namespace: '', name: 'demo' })).toBeUndefined();
  });

  it('reverts to an earlier revision as a new revision', () => {
    store.apply([demoNamespace, service('reviews')], { author });
    store.apply([service('reviews', 9081)], { author });
    const key = { kind: 'Service', namespace: 'demo', name: 'reviews' };
    const reverted = store.revert(key, 1, { author: 'alice' });
    expect(reverted.action).toBe('configured');
    expect(store.get(key)?.spec).toMatchObject({ ports: [{ port: 9080 }] });
    const history = store.history(key);
    expect(history.at(-1)).toMatchObject({ revision: 3, operation: 'revert', author: 'alice', message: 'reverted to revision 1' });
    expect(store.revert(key, 1, { author }).action).toBe('unchanged');
    expect(errorOf(() => store.revert(key, 9, { author })).message).toMatch(/revisions are 1 to 3/);
  });

  it('recreates a deleted object on revert', () => {
    store.apply([demoNamespace, service('reviews')], { author });
    const key = { kind: 'Service', namespace: 'demo', name: 'reviews' };
    store.delete(key, { author });
    expect(store.get(key)).toBeUndefined();
    expect(store.revert(key, 1, { author }).action).toBe('created');
    expect(store.get(key)).toBeDefined();
    expect(errorOf(() => store.revert(key, 2, { author })).code).toBe('InvalidArgument');
  });

  it('deletes everything in a namespace with it', () => {
    store.apply([demoNamespace, service('a'), service('b')], { author });
    store.delete({ kind: 'Namespace', namespace: '', name: 'demo' }, { author });
    expect(store.list('Service', 'demo')).toEqual([]);
  });

  it('writes status without bumping generation or history', () => {
    store.apply([demoNamespace, service('a')], { author });
    const key = { kind: 'Service', namespace: 'demo', name: 'a' };
    const before = store.get(key);
    const after = store.updateStatus(key, { loadBalancer: {} });
    expect(after.metadata.generation).toBe(before?.metadata.generation);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before?.metadata.resourceVersion));
    expect(store.history(key)).toHaveLength(1);
    // Applying the spec again keeps the status and is a no-op.
    expect(store.apply([service('a')], { author })[0]?.action).toBe('unchanged');
    expect(store.get(key)?.status).toEqual({ loadBalancer: {} });
  });

  it('watches from a resourceVersion without missing or repeating events', () => {
    store.apply([demoNamespace], { author });
    const from = store.currentResourceVersion();
    store.apply([service('a')], { author });
    const events: WatchEvent[] = [];
    const stop = store.watch(from, (e) => events.push(e));
    store.apply([service('a', 9090)], { author });
    store.delete({ kind: 'Service', namespace: 'demo', name: 'a' }, { author });
    stop();
    store.apply([service('b')], { author });
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'a'],
      ['MODIFIED', 'a'],
      ['DELETED', 'a'],
    ]);
    const versions = events.map((e) => e.resourceVersion);
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
  });

  it('sees writes made by another process when it polls', () => {
    const events: WatchEvent[] = [];
    store.watch(store.currentResourceVersion(), (e) => events.push(e));
    const other = openSqliteStore({ dataDir: dir });
    try {
      other.apply([demoNamespace], { author: 'other' });
    } finally {
      other.close();
    }
    expect(events).toHaveLength(0);
    store.pollChanges();
    expect(events.map((e) => e.object.metadata.name)).toEqual(['demo']);
  });

  it('keeps data across reopen', () => {
    store.apply([demoNamespace, service('a')], { author });
    store.close();
    store = openSqliteStore({ dataDir: dir });
    expect(store.get({ kind: 'Service', namespace: 'demo', name: 'a' })?.metadata.generation).toBe(1);
    expect(store.list('Namespace')).toHaveLength(3);
  });
});
