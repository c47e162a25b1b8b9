/**
 * For each test of the calling `describe`: a SQLite store in a fresh temporary dir seeded with
 * `objects()`, its registry, and the registry as the xDS server's ResourceSource with every push it
 * announces recorded — all closed and removed after the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@ambit/shared';
import { afterEach, beforeEach } from 'vitest';
import { createRegistry, type Registry } from '../../src/registry/index';
import { applyAll } from '../../src/registry/test-fixtures';
import { openSqliteStore, type SqliteStore } from '../../src/store/index';
import { createRegistryResourceSource, type RegistryResourceSource } from '../../src/translate/index';
import type { ResourceChange } from '../../src/xds/index';

export interface RegistrySource {
  store: SqliteStore;
  registry: Registry;
  source: RegistryResourceSource;
  pushes: ResourceChange[];
}

/** Hands each test's fresh set to `use` (typically assigning the test file's variables). */
export function registrySourceForEachTest(objects: () => readonly KubeObject[], use: (fresh: RegistrySource) => void): void {
  let dir: string | undefined;
  let current: RegistrySource | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-registry-source-'));
    const store = openSqliteStore({ dataDir: dir });
    applyAll(store, [...objects()]);
    const registry = createRegistry(store);
    const source = createRegistryResourceSource(registry);
    const pushes: ResourceChange[] = [];
    source.onChange((change) => pushes.push(change));
    current = { store, registry, source, pushes };
    use(current);
  });
  afterEach(() => {
    current?.source.close();
    current?.registry.close();
    current?.store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    current = undefined;
    dir = undefined;
  });
}
