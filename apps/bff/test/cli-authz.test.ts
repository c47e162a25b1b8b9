// `ambit authz check` and `ambit route check` against a data directory, no mesh running: the
// simulator over what the store holds (Bookinfo behind a waypoint, Istio's 90/10 reviews route).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAll, bookinfoObjects, UPSTREAM_ISTIO } from '@ambit/control-plane/registry/test-fixtures';
import { openSqliteStore } from '@ambit/control-plane/store';
import { type KubeObject, readManifests } from '@ambit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAmbit } from './run-ambit';

const WAYPOINT = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: demo }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: v1
kind: Service
metadata: { name: waypoint, namespace: demo, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }
spec: { selector: { gateway.networking.k8s.io/gateway-name: waypoint }, ports: [{ name: mesh, port: 15008 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: waypoint-0, namespace: demo, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }
spec: { serviceAccountName: waypoint, nodeName: node-1, containers: [{ name: waypoint }] }
status: { phase: Running, podIP: 127.11.1.50, containerStatuses: [{ name: waypoint, ready: true }] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: reviews-no-deletes, namespace: demo }
spec:
  targetRefs: [{ kind: Service, group: "", name: reviews }]
  action: DENY
  rules: [{ to: [{ operation: { methods: [DELETE] } }] }]
`;

describe('ambit authz check / route check', () => {
  let work: string;
  let dataDir: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ambit-cli-authz-'));
    dataDir = join(work, 'data');
    const store = openSqliteStore({ dataDir });
    try {
      const objects: KubeObject[] = bookinfoObjects().map((o) =>
        o.kind === 'Namespace'
          ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } }
          : o,
      );
      const extra = [WAYPOINT, readFileSync(join(UPSTREAM_ISTIO, 'route-reviews-90-10.yaml'), 'utf8')].flatMap((text) =>
        readManifests(text).map(({ object }) => ({ ...object, metadata: { ...object.metadata, namespace: 'demo' } })),
      );
      applyAll(store, [...objects, ...extra]);
    } finally {
      store.close();
    }
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints each hop with the deciding policy and rule, and exits 1 when denied', () => {
    const run = runAmbit(dataDir, [
      'authz',
      'check',
      '--from',
      'demo/productpage',
      '--to-service',
      'demo/reviews',
      '--port',
      '9080',
      '-X',
      'DELETE',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^HOP\s+PROXY\s+WORKLOAD\s+SEES PRINCIPAL\s+DECISION\s+DECIDED BY\s+WHY/);
    expect(run.stdout).toMatch(/waypoint\s+waypoint\/demo\/waypoint\s+.*DENY\s+DENY demo\/reviews-no-deletes rule 0/);
    expect(run.stdout).toContain('DENY: 403 RBAC: access denied (at the waypoint)');
  });

  it('names the route rule and the weighted backends, and exits 0 when a waypoint forwards it', () => {
    const run = runAmbit(dataDir, [
      'route',
      'check',
      '--to-service',
      'demo/reviews',
      '--port',
      '9080',
      '--path',
      '/reviews/0',
      '-o',
      'json',
    ]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      route: 'demo/reviews',
      ruleIndex: 0,
      action: 'Forward',
      waypoint: 'demo/waypoint',
      backends: [
        { service: 'demo/reviews-v1', share: 0.9 },
        { service: 'demo/reviews-v2', share: 0.1 },
      ],
    });
  });
  it('checks a table of requests from --file against their expected decisions, and explains a bad file', () => {
    const cases = join(work, 'cases.yaml');
    writeFileSync(
      cases,
      `- { name: read, from: demo/productpage, toService: demo/reviews, port: 9080, method: GET, expect: allow }
- { name: delete, from: demo/productpage, toService: demo/reviews, port: 9080, method: DELETE, expect: deny }
`,
    );
    const passing = runAmbit(dataDir, ['authz', 'check', '--file', cases]);
    expect(passing.stderr).toBe('');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toMatch(
      /delete\s+demo\/productpage\s+demo\/reviews:9080\s+DELETE \/\s+DENY\s+DENY\s+ok\s+DENY demo\/reviews-no-deletes/,
    );
    expect(passing.stdout).toContain('2 cases, all as expected');

    writeFileSync(cases, '- { name: delete, from: demo/productpage, toService: demo/reviews, port: 9080, method: DELETE }\n');
    const failing = runAmbit(dataDir, ['authz', 'check', '--file', cases]);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('1 of 1 cases not as expected');

    writeFileSync(cases, '- { from: demo/productpage, toService: demo/reviews, port: http }\n');
    const invalid = runAmbit(dataDir, ['authz', 'check', '--file', cases]);
    expect(invalid.status).not.toBe(0);
    expect(invalid.stderr).toContain('[0].port: Invalid input: expected number');

    const mixed = runAmbit(dataDir, ['authz', 'check', '--file', cases, '--port', '9080']);
    expect(mixed.status).not.toBe(0);
    expect(mixed.stderr).toContain('give no request flags with it');
  });
});
