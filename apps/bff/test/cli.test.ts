import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@ambit/control-plane/store';
import { kinds } from '@ambit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmbitRun, runAmbit } from './run-ambit';

const examples = join(__dirname, '../../../packages/shared/test/fixtures/one-of-each-kind.yaml');
const upstream = join(__dirname, '../../../../shared/testdata/upstream/istio');

function ok(run: AmbitRun): string {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** Everything stored and the newest resourceVersion, to prove that a failed command changed nothing. */
function snapshot(dataDir: string): string {
  const store = openSqliteStore({ dataDir });
  try {
    return JSON.stringify([store.currentResourceVersion(), kinds.map((k) => store.list(k.kind))]);
  } finally {
    store.close();
  }
}

// Each step runs the real executable (~0.6 s each on an idle machine, several times that on a busy one).
describe('ambit CLI', { timeout: 180_000 }, () => {
  let work: string;
  let dataDir: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ambit-cli-'));
    dataDir = join(work, 'data');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('applies one object of every kind, and applying again changes nothing', () => {
    const created = ok(runAmbit(dataDir, ['apply', '-f', examples]))
      .trim()
      .split('\n');
    expect(created).toHaveLength(kinds.length);
    expect(created.every((line) => line.endsWith(' created'))).toBe(true);
    expect(created).toContain('httproute.gateway.networking.k8s.io/podinfo created');
    const again = ok(runAmbit(dataDir, ['apply', '-f', examples]))
      .trim()
      .split('\n');
    expect(again.every((line) => line.endsWith(' unchanged'))).toBe(true);
    expect(ok(runAmbit(dataDir, ['history', 'canary', 'podinfo', '-n', 'test', '-o', 'json']))).toMatch(/"revision": 1/);
    expect(JSON.parse(ok(runAmbit(dataDir, ['history', 'canary', 'podinfo', '-n', 'test', '-o', 'json'])))).toHaveLength(1);
  });

  it('round-trips get -o yaml: the output re-applies as a no-op', () => {
    for (const info of kinds) {
      const yaml = ok(runAmbit(dataDir, ['get', info.plural, '-A', '-o', 'yaml']));
      expect(yaml.length).toBeGreaterThan(0);
      const reapplied = ok(runAmbit(dataDir, ['apply', '-f', '-'], yaml))
        .trim()
        .split('\n');
      expect(reapplied.every((line) => line.endsWith(' unchanged'))).toBe(true);
    }
  });

  it('records one revision for one edited field, and history/revert show and undo it', () => {
    const yaml = ok(runAmbit(dataDir, ['get', 'httproute', 'podinfo', '-n', 'test', '-o', 'yaml']));
    const edited = yaml.replace('weight: 90', 'weight: 80');
    expect(edited).not.toBe(yaml);
    expect(ok(runAmbit(dataDir, ['apply', '-f', '-'], edited)).trim()).toBe('httproute.gateway.networking.k8s.io/podinfo configured');
    const history = ok(runAmbit(dataDir, ['history', 'httproute', 'podinfo', '-n', 'test']))
      .trim()
      .split('\n');
    expect(history).toHaveLength(3);
    expect(history[2]).toMatch(/^2 .* update\s+spec\.rules\[1\]\.backendRefs\[0\]\.weight$/);
    expect(ok(runAmbit(dataDir, ['revert', 'httproute', 'podinfo', '-n', 'test', '--to-revision', '1'])).trim()).toBe(
      'httproute.gateway.networking.k8s.io/podinfo reverted to revision 1',
    );
    expect(ok(runAmbit(dataDir, ['get', 'httproute', 'podinfo', '-n', 'test', '-o', 'yaml']))).toContain('weight: 90');
    expect(
      ok(runAmbit(dataDir, ['history', 'httproute', 'podinfo', '-n', 'test']))
        .trim()
        .split('\n'),
    ).toHaveLength(4);
  });

  it('refuses a stale resourceVersion and changes nothing', () => {
    const stale = ok(runAmbit(dataDir, ['get', 'httproute', 'podinfo', '-n', 'test', '-o', 'yaml']));
    ok(runAmbit(dataDir, ['apply', '-f', '-'], stale.replace('weight: 90', 'weight: 70')));
    const before = snapshot(dataDir);
    const run = runAmbit(dataDir, ['apply', '-f', '-'], stale.replace('weight: 90', 'weight: 60'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^error: document 0, line 1, HTTPRoute\/test\/podinfo: metadata\.resourceVersion: the document was read at resourceVersion/,
    );
    expect(snapshot(dataDir)).toBe(before);
  });

  describe('bad input gets a non-zero exit, names the document and field, and changes nothing', () => {
    const cases: [string, string, RegExp][] = [
      ['invalid YAML', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x\n', /document 0 .*not valid YAML|document 0, line \d+/],
      [
        'an unknown kind',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: fine}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
        /document 1, line 6, ConfigMap\/x: kind: unknown kind ConfigMap/,
      ],
      [
        'a wrong field type',
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: test}\nspec:\n  rules:\n  - to:\n    - operation:\n        ports: ["80", 443]\n',
        /document 0, line 8, AuthorizationPolicy\/test\/p: spec\.rules\[0\]\.to\[0\]\.operation\.ports\[1\]: expected string/,
      ],
      [
        'a missing required field',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: test}\nspec:\n  listeners: [{name: mesh, port: 15008, protocol: HBONE}]\n',
        /Gateway\/test\/g: spec\.gatewayClassName: required field is missing/,
      ],
      [
        'a namespace that does not exist',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: nowhere}\n',
        /metadata\.namespace: namespace "nowhere" does not exist/,
      ],
    ];
    it.each(cases)('%s', (_name, manifest, message) => {
      const before = snapshot(dataDir);
      const run = runAmbit(dataDir, ['apply', '-f', '-'], manifest);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(snapshot(dataDir)).toBe(before);
    });

    it('a 10 MB document', () => {
      const file = join(work, 'huge.yaml');
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: huge\n  annotations:\n    blob: "${'x'.repeat(10 * 1024 * 1024)}"\n`,
      );
      const before = snapshot(dataDir);
      const run = runAmbit(dataDir, ['apply', '-f', file]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/document 0, line 1: document is 10\.0 MiB; the limit for one object is 1\.5 MiB/);
      expect(snapshot(dataDir)).toBe(before);
    });
  });

  it('gets objects as tables, by name, and with label selectors', () => {
    const table = ok(runAmbit(dataDir, ['get', 'svc', '-n', 'test']));
    expect(table.split('\n')[0]).toMatch(/^NAME\s+CLUSTER-IP\s+PORT\(S\)\s+AGE$/);
    expect(table).toMatch(/^podinfo\s+<none>\s+9898\/TCP\s+\d+[smhd]$/m);
    expect(ok(runAmbit(dataDir, ['get', 'deploy', '-A', '-l', 'app=podinfo', '-o', 'name'])).trim()).toBe('deployment.apps/podinfo');
    const missing = runAmbit(dataDir, ['get', 'svc', 'nope', '-n', 'test']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('error: Service "nope" not found in namespace "test"');
    const unknown = runAmbit(dataDir, ['get', 'widgets']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown kind "widgets"; known kinds: namespaces, nodes/);
  });

  it('deletes by name and by manifest, and history keeps the deletion', () => {
    expect(ok(runAmbit(dataDir, ['delete', 'ap', 'httpbin', '-n', 'test'])).trim()).toBe(
      'authorizationpolicy.security.istio.io/httpbin deleted',
    );
    expect(runAmbit(dataDir, ['delete', 'ap', 'httpbin', '-n', 'test']).status).toBe(1);
    expect(ok(runAmbit(dataDir, ['delete', 'ap', 'httpbin', '-n', 'test', '--ignore-not-found']))).toBe('');
    expect(ok(runAmbit(dataDir, ['history', 'ap', 'httpbin', '-n', 'test']))).toMatch(/delete/);
    ok(runAmbit(dataDir, ['apply', '-f', join(upstream, 'bookinfo.yaml')]));
    const deleted = ok(runAmbit(dataDir, ['delete', '-f', join(upstream, 'bookinfo.yaml')]))
      .trim()
      .split('\n');
    expect(deleted).toContain('deployment.apps/reviews-v3 deleted');
    expect(runAmbit(dataDir, ['get', 'deploy']).stderr).toMatch(/No deployments found/);
  });

  it('has --help on every command', () => {
    for (const command of ['apply', 'get', 'delete', 'history', 'revert']) {
      const help = ok(runAmbit(dataDir, [command, '--help']));
      expect(help).toMatch(new RegExp(`^Usage: ambit ${command}`));
      expect(help).toMatch(/Examples?:/);
    }
  });

  it('reads the upstream manifests from a directory', () => {
    const out = ok(runAmbit(dataDir, ['apply', '-f', upstream, '--dry-run']))
      .trim()
      .split('\n');
    expect(out.length).toBe((readFileSync(join(upstream, 'bookinfo.yaml'), 'utf8').match(/^kind:/gm)?.length ?? 0) + 3 + 4 + 1);
    expect(out.every((l) => l.endsWith('(dry run)'))).toBe(true);
  });
});
