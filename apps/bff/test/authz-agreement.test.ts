// Issue "policy administration": the simulator and the real proxies agree. `ambit up` (nodes 91-92,
// 127.101-102.x.x) with echo workloads in three ambient namespaces — `alpha` behind a waypoint,
// `beta` and `gamma` without — and a table of requests under a sequence of policy sets (ALLOW,
// DENY, allow-nothing, deny-all, selector, targetRefs to a Service and to the waypoint,
// root-namespace, L7 attributes on ztunnel-enforced policies, ports, dry-run). Each request is
// decided by the simulator (in process, and through `ambit authz check --file` as a user runs it)
// and sent for real from the source workload's address; every decision must match.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FlowCollector,
  generateLeastPrivilegePolicies,
  impactOfDraft,
  proxyFlowTargets,
  snapshotWithDraft,
} from '@ambit/control-plane/flows/index';
import { buildSnapshot, type MeshSnapshot, REGISTRY_KINDS } from '@ambit/control-plane/registry';
import { type SimulationInput, type SimulationResult, simulate } from '@ambit/control-plane/simulate/index';
import { openSqliteStore, type SqliteStore } from '@ambit/control-plane/store';
import { toWaypointPolicies } from '@ambit/control-plane/translate';
import { readManifests } from '@ambit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSourcePod, type Lookup, resolveServiceAddress } from '../src/embedded/mesh-address';
import { type AmbitUp, startAmbitUp } from './ambit-up';
import { runAmbit } from './run-ambit';
import { waitUntilAsync } from './wait';

const TD = 'cluster.local';
const WAYPOINT = 'alpha/waypoint';

function echo(namespace: string, name: string, port: number, service?: { port: number }): string {
  const docs = [
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n`,
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      `  namespace: ${namespace}`,
      'spec:',
      '  replicas: 1',
      '  selector:',
      `    matchLabels: { app: ${name} }`,
      '  template:',
      '    metadata:',
      `      labels: { app: ${name}, version: v1 }`,
      '    spec:',
      `      serviceAccountName: ${name}`,
      `      containers: [{ name: echo, image: ambit/echo, ports: [{ containerPort: ${port} }] }]`,
      '',
    ].join('\n'),
  ];
  if (service) {
    docs.push(
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        `  name: ${name}`,
        `  namespace: ${namespace}`,
        'spec:',
        `  selector: { app: ${name} }`,
        `  ports: [{ name: http, port: ${service.port}, targetPort: ${port} }]`,
        '',
      ].join('\n'),
    );
  }
  return docs.join('---\n');
}

const MESH = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n',
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: alpha\n  labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint }\n',
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: beta\n  labels: { istio.io/dataplane-mode: ambient }\n',
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gamma\n  labels: { istio.io/dataplane-mode: ambient }\n',
  [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata: { name: waypoint, namespace: alpha, labels: { istio.io/waypoint-for: service } }',
    'spec:',
    '  gatewayClassName: istio-waypoint',
    '  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]',
    '',
  ].join('\n'),
  echo('alpha', 'api', 8080, { port: 80 }),
  echo('alpha', 'frontend', 8080),
  echo('beta', 'ratings', 9080, { port: 9080 }),
  echo('beta', 'details', 9080, { port: 8000 }),
  echo('beta', 'reviews', 9080),
  echo('gamma', 'loadgen', 9080, { port: 9080 }),
].join('---\n');

const policy = (namespace: string, name: string, spec: string, annotations = ''): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n${annotations}spec:\n${spec}`;

interface Case {
  from: string;
  to: string;
  port: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  expect: 'allow' | 'deny';
}

interface Scenario {
  name: string;
  policies: string[];
  cases: Case[];
}

const c = (from: string, to: string, port: number, expected: 'allow' | 'deny', extra: Partial<Case> = {}): Case => ({
  from,
  to,
  port,
  expect: expected,
  ...extra,
});

const SCENARIOS: Scenario[] = [
  {
    name: 'no policy: everything is allowed',
    policies: [],
    cases: [
      c('beta/reviews', 'beta/ratings', 9080, 'allow'),
      c('gamma/loadgen', 'beta/details', 8000, 'allow'),
      c('alpha/frontend', 'alpha/api', 80, 'allow', { method: 'POST', path: '/x' }),
      c('beta/reviews', 'alpha/api', 80, 'allow'),
    ],
  },
  {
    name: 'deny-all in beta (DENY with an empty rule)',
    policies: [policy('beta', 'deny-all', '  action: DENY\n  rules: [{}]\n')],
    cases: [
      c('beta/reviews', 'beta/ratings', 9080, 'deny'),
      c('gamma/loadgen', 'beta/details', 8000, 'deny'),
      c('gamma/loadgen', 'alpha/api', 80, 'allow'),
    ],
  },
  {
    name: 'allow-nothing in beta, then a selector ALLOW for ratings from reviews',
    policies: [
      policy('beta', 'allow-nothing', '  {}\n'),
      policy(
        'beta',
        'ratings-from-reviews',
        `  selector: { matchLabels: { app: ratings } }\n  action: ALLOW\n  rules:\n  - from: [{ source: { principals: ["${TD}/ns/beta/sa/reviews"] } }]\n`,
      ),
    ],
    cases: [
      c('beta/reviews', 'beta/ratings', 9080, 'allow'),
      c('gamma/loadgen', 'beta/ratings', 9080, 'deny'),
      c('beta/reviews', 'beta/details', 8000, 'deny'),
      c('alpha/frontend', 'beta/ratings', 9080, 'deny'),
    ],
  },
  {
    name: 'root-namespace DENY from gamma (mesh-wide, ztunnel)',
    policies: [policy('istio-system', 'no-gamma', '  action: DENY\n  rules:\n  - from: [{ source: { namespaces: ["gamma"] } }]\n')],
    cases: [
      c('gamma/loadgen', 'beta/ratings', 9080, 'deny'),
      c('beta/reviews', 'beta/details', 8000, 'allow'),
      // Behind the waypoint the destination ztunnel sees the waypoint's identity, not gamma's.
      c('gamma/loadgen', 'alpha/api', 80, 'allow'),
      c('alpha/frontend', 'beta/ratings', 9080, 'allow'),
    ],
  },
  {
    name: 'targetRefs to the Service: L7 ALLOW and DENY at the waypoint',
    policies: [
      policy(
        'alpha',
        'api-public',
        '  targetRefs: [{ kind: Service, group: "", name: api }]\n  action: ALLOW\n  rules:\n  - from: [{ source: { namespaces: ["alpha", "beta"] } }]\n    to: [{ operation: { methods: ["GET", "DELETE"], paths: ["/public/*"] } }]\n',
      ),
      policy(
        'alpha',
        'api-no-deletes',
        '  targetRefs: [{ kind: Service, group: "", name: api }]\n  action: DENY\n  rules:\n  - to: [{ operation: { methods: ["DELETE"] } }]\n',
      ),
    ],
    cases: [
      c('alpha/frontend', 'alpha/api', 80, 'allow', { method: 'GET', path: '/public/a' }),
      c('alpha/frontend', 'alpha/api', 80, 'deny', { method: 'POST', path: '/public/a' }),
      c('alpha/frontend', 'alpha/api', 80, 'deny', { method: 'GET', path: '/private' }),
      c('beta/reviews', 'alpha/api', 80, 'allow', { method: 'GET', path: '/public/b?x=1' }),
      // Istio's BASE normalization: encoded unreserved characters are decoded before matching; an encoded NUL is a 400.
      c('alpha/frontend', 'alpha/api', 80, 'allow', { method: 'GET', path: '/%70ublic/a' }),
      c('alpha/frontend', 'alpha/api', 80, 'deny', { method: 'GET', path: '/%70rivate/../private' }),
      c('alpha/frontend', 'alpha/api', 80, 'deny', { method: 'GET', path: '/public/a%00' }),
      c('gamma/loadgen', 'alpha/api', 80, 'deny', { method: 'GET', path: '/public/b' }),
      c('alpha/frontend', 'alpha/api', 80, 'deny', { method: 'DELETE', path: '/public/a' }),
      c('beta/reviews', 'beta/ratings', 9080, 'allow', { method: 'DELETE', path: '/public/a' }),
    ],
  },
  {
    name: 'targetRefs to the waypoint Gateway: DENY by header and by host',
    policies: [
      policy(
        'alpha',
        'waypoint-guard',
        '  targetRefs: [{ kind: Gateway, group: gateway.networking.k8s.io, name: waypoint }]\n  action: DENY\n  rules:\n  - when: [{ key: "request.headers[x-block]", values: ["yes"] }]\n  - to: [{ operation: { hosts: ["forbidden.example"] } }]\n',
      ),
    ],
    cases: [
      c('alpha/frontend', 'alpha/api', 80, 'deny', { headers: { 'x-block': 'yes' } }),
      c('alpha/frontend', 'alpha/api', 80, 'allow', { headers: { 'x-block': 'no' } }),
      c('beta/reviews', 'alpha/api', 80, 'deny', { headers: { host: 'forbidden.example' } }),
      c('beta/reviews', 'alpha/api', 80, 'allow', { path: '/anything' }),
    ],
  },
  {
    name: 'L7 attributes on ztunnel-enforced policies: ALLOW rule dropped, DENY widened',
    policies: [
      policy(
        'beta',
        'ratings-get-only',
        '  selector: { matchLabels: { app: ratings } }\n  action: ALLOW\n  rules:\n  - to: [{ operation: { methods: ["GET"] } }]\n',
      ),
      policy(
        'beta',
        'details-no-admin',
        '  selector: { matchLabels: { app: details } }\n  action: DENY\n  rules:\n  - to: [{ operation: { paths: ["/admin"] } }]\n',
      ),
    ],
    cases: [
      c('beta/reviews', 'beta/ratings', 9080, 'deny', { method: 'GET', path: '/' }),
      c('beta/reviews', 'beta/details', 8000, 'deny', { method: 'GET', path: '/public' }),
      c('gamma/loadgen', 'alpha/api', 80, 'allow', { method: 'GET', path: '/admin' }),
    ],
  },
  {
    name: 'ports: ztunnel matches the target port, not the service port',
    policies: [
      policy(
        'beta',
        'details-port',
        '  selector: { matchLabels: { app: details } }\n  action: ALLOW\n  rules:\n  - to: [{ operation: { ports: ["9080"] } }]\n',
      ),
      policy(
        'beta',
        'ratings-port',
        '  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - to: [{ operation: { notPorts: ["9080"] } }]\n',
      ),
      policy(
        'gamma',
        'loadgen-wrong-port',
        '  selector: { matchLabels: { app: loadgen } }\n  action: ALLOW\n  rules:\n  - to: [{ operation: { ports: ["8000"] } }]\n',
      ),
    ],
    cases: [
      c('beta/reviews', 'beta/details', 8000, 'allow'),
      c('gamma/loadgen', 'beta/ratings', 9080, 'allow'),
      c('beta/reviews', 'gamma/loadgen', 9080, 'deny'),
    ],
  },
  {
    name: 'selector ALLOW on a workload behind the waypoint: the ztunnel sees the waypoint identity',
    policies: [
      policy(
        'alpha',
        'api-from-frontend',
        `  selector: { matchLabels: { app: api } }\n  action: ALLOW\n  rules:\n  - from: [{ source: { principals: ["${TD}/ns/alpha/sa/frontend"] } }]\n`,
      ),
    ],
    cases: [
      c('alpha/frontend', 'alpha/api', 80, 'deny'),
      c('beta/reviews', 'alpha/api', 80, 'deny'),
      c('alpha/frontend', 'beta/ratings', 9080, 'allow'),
    ],
  },
  {
    name: 'the waypoint identity allowed at the workload, principals and notNamespaces',
    policies: [
      policy(
        'alpha',
        'api-from-waypoint',
        `  selector: { matchLabels: { app: api } }\n  action: ALLOW\n  rules:\n  - from: [{ source: { principals: ["${TD}/ns/alpha/sa/waypoint"] } }]\n`,
      ),
      policy(
        'beta',
        'ratings-only-beta',
        '  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - from: [{ source: { notNamespaces: ["beta"] } }]\n',
      ),
    ],
    cases: [
      c('alpha/frontend', 'alpha/api', 80, 'allow'),
      c('gamma/loadgen', 'alpha/api', 80, 'allow'),
      c('gamma/loadgen', 'beta/ratings', 9080, 'deny'),
      c('beta/reviews', 'beta/ratings', 9080, 'allow'),
      c('alpha/frontend', 'beta/ratings', 9080, 'deny'),
    ],
  },
  {
    name: 'dry-run DENY is reported, never enforced; serviceAccounts-style principals with a suffix',
    policies: [
      policy('beta', 'dry-deny', '  action: DENY\n  rules: [{}]\n', '  annotations: { istio.io/dry-run: "true" }\n'),
      policy(
        'beta',
        'details-suffix',
        '  selector: { matchLabels: { app: details } }\n  action: DENY\n  rules:\n  - from: [{ source: { principals: ["*/sa/loadgen"] } }]\n',
      ),
    ],
    cases: [
      c('beta/reviews', 'beta/ratings', 9080, 'allow'),
      c('gamma/loadgen', 'beta/details', 8000, 'deny'),
      c('beta/reviews', 'beta/details', 8000, 'allow'),
    ],
  },
];

interface Sent {
  status?: number;
  error?: string;
}

describe('the simulator and the real proxies agree', () => {
  let work: string;
  let dataDir: string;
  let up: AmbitUp;
  let store: SqliteStore;
  let monitoringPort: number;
  const lookup: Lookup = {
    pods: (ns) => store.list('Pod', ns),
    service: (ns, name) => store.get({ kind: 'Service', namespace: ns, name }),
  };
  const snapshot = (): MeshSnapshot => buildSnapshot(REGISTRY_KINDS.flatMap((kind) => store.list(kind)));

  const inputOf = (k: Case): SimulationInput => {
    const input: SimulationInput = { source: { workload: k.from }, destination: { service: k.to }, port: k.port };
    if (k.method) input.method = k.method;
    if (k.path) input.path = k.path;
    if (k.headers) input.headers = k.headers;
    return input;
  };

  /** The request for real, from the source pod's own address to the service address its node serves. */
  const send = (k: Case): Promise<Sent> => {
    const [namespace, workload] = k.from.split('/') as [string, string];
    const pod = findSourcePod(lookup, namespace, workload);
    const [toNamespace, toName] = k.to.split('/') as [string, string];
    const address = resolveServiceAddress(lookup, `${toName}.${toNamespace}`, namespace, pod.spec.nodeName ?? '');
    return new Promise((resolve) => {
      const call = request(
        {
          host: address,
          port: k.port,
          path: k.path ?? '/',
          method: k.method ?? 'GET',
          localAddress: pod.status?.podIP as string,
          headers: { host: `${toName}.${toNamespace}:${k.port}`, ...k.headers },
          timeout: 10_000,
          agent: false,
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        },
      );
      call.on('timeout', () => call.destroy(new Error('timed out')));
      call.on('error', (error) => resolve({ error: error.message }));
      call.end();
    });
  };
  const decisionOf = (sent: Sent): 'allow' | 'deny' => (sent.status === 200 ? 'allow' : 'deny');

  /** Applies a scenario's policies (replacing the previous ones) and waits until every proxy holds them and ACKed. */
  const applyPolicies = async (documents: readonly string[]): Promise<MeshSnapshot> => {
    const wanted = documents.flatMap((d) => readManifests(d).map((m) => m.object));
    const keep = new Set(wanted.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    for (const existing of store.list('AuthorizationPolicy')) {
      if (!keep.has(`${existing.metadata.namespace}/${existing.metadata.name}`)) {
        store.delete(
          { kind: 'AuthorizationPolicy', namespace: existing.metadata.namespace ?? 'default', name: existing.metadata.name },
          { author: 'test' },
        );
      }
    }
    if (wanted.length > 0) store.apply(wanted, { author: 'test' });
    const expected = snapshot();
    await waitForProxies(expected);
    return expected;
  };

  const waitForProxies = async (expected: MeshSnapshot): Promise<void> => {
    const ztunnelPolicies = [...expected.policies.ztunnel.keys()].sort();
    const waypointPolicies = [...toWaypointPolicies(expected, WAYPOINT).keys()].sort();
    const selectorLists = new Map<string, string[]>();
    for (const [uid, names] of expected.policies.workloadPolicies) {
      selectorLists.set(uid, names.filter((n) => expected.policies.ztunnel.get(n)?.scope === 'WORKLOAD_SELECTOR').sort());
    }
    const waypointPod = expected.waypoints.get(WAYPOINT)?.pods.map((uid) => expected.workloads.get(uid)?.addresses[0])[0];
    await waitUntilAsync(
      'every proxy to hold the new policies and ACK them',
      async () => {
        for (const node of expected.nodes.values()) {
          const dump = (await (await fetch(`http://${node.addresses[0]}:15000/config_dump`)).json()) as {
            policies: { namespace: string; name: string }[];
            workloads: { uid: string; authorizationPolicies?: string[] }[];
          };
          const held = dump.policies.map((p) => `${p.namespace}/${p.name}`).sort();
          if (held.join() !== ztunnelPolicies.join()) return false;
          for (const w of dump.workloads) {
            const want = selectorLists.get(w.uid);
            if (want && [...(w.authorizationPolicies ?? [])].sort().join() !== want.join()) return false;
          }
        }
        const waypoint = (await (await fetch(`http://${waypointPod}:15000/config_dump`)).json()) as {
          waypoint: { policies: { target: { namespace: string; name: string } }[] };
        };
        const held = waypoint.waypoint.policies.map((p) => `${p.target.namespace}/${p.target.name}`).sort();
        if (held.join() !== waypointPolicies.join()) return false;
        const status = (await (await fetch(`http://127.0.0.1:${monitoringPort}/debug/proxy-status`)).json()) as {
          types: { state: string }[];
        }[];
        return status.length >= 3 && status.every((p) => p.types.every((t) => t.state === 'SYNCED' || t.state === 'NOT SENT'));
      },
      20_000,
      50,
    );
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ambit-authz-'));
    dataDir = join(work, 'data');
    up = startAmbitUp(dataDir, ['--no-demo', '--first-node', '91']);
    await up.ready(60_000);
    monitoringPort = Number(/and :(\d+) \(metrics/.exec(up.output())?.[1]);
    expect(monitoringPort).toBeGreaterThan(0);
    store = openSqliteStore({ dataDir });
    store.apply(
      readManifests(MESH).map((m) => m.object),
      { author: 'test' },
    );
    // Ready: every source reaches every destination (no policy yet), the waypoint included.
    const everyPair = SCENARIOS[0]?.cases ?? [];
    await waitUntilAsync(
      'every workload and the waypoint to serve',
      async () => (await Promise.all(everyPair.map(send))).every((s) => s.status === 200),
      60_000,
      250,
    );
  }, 120_000);

  afterAll(async () => {
    store?.close();
    await up?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('decides ≥ 40 requests the same way in the simulator, through `ambit authz check` and as real traffic', async () => {
    const total = SCENARIOS.reduce((n, s) => n + s.cases.length, 0);
    expect(total).toBeGreaterThanOrEqual(40);
    const mismatches: string[] = [];
    let cliChecked = 0;
    for (const [scenarioIndex, scenario] of SCENARIOS.entries()) {
      const mesh = await applyPolicies(scenario.policies);
      // Every case of the scenario through the real CLI, one process for the table (`authz check --file`).
      const casesFile = join(work, `cases-${scenarioIndex}.json`);
      writeFileSync(
        casesFile,
        JSON.stringify(
          scenario.cases.map((k) => ({
            from: k.from,
            toService: k.to,
            port: k.port,
            ...(k.method ? { method: k.method } : {}),
            ...(k.path ? { path: k.path } : {}),
            ...(k.headers ? { headers: k.headers } : {}),
            expect: k.expect,
          })),
        ),
      );
      const run = runAmbit(dataDir, ['authz', 'check', '--file', casesFile, '-o', 'json']);
      const cli = JSON.parse(run.stdout) as { result: SimulationResult; decision: string; asExpected: boolean }[];
      expect(cli).toHaveLength(scenario.cases.length);
      for (const [index, k] of scenario.cases.entries()) {
        const label = `${scenario.name} #${index}: ${k.from} → ${k.to}:${k.port} ${k.method ?? 'GET'} ${k.path ?? '/'}`;
        const simulated: SimulationResult = simulate(mesh, inputOf(k));
        const real = await send(k);
        const simulatedDecision = simulated.outcome === 'allow' ? 'allow' : 'deny';
        const cliDecision = cli[index]?.decision;
        if (simulatedDecision !== decisionOf(real) || simulatedDecision !== k.expect || cliDecision !== k.expect) {
          mismatches.push(
            `${label}: expected ${k.expect}, simulator ${simulated.outcome} (${simulated.summary}), CLI ${cliDecision}, real ${JSON.stringify(real)}`,
          );
        }
        expect(
          cli[index]?.result.hops.map((h) => [h.point, h.decision, h.decidedBy?.policy]),
          label,
        ).toEqual(simulated.hops.map((h) => [h.point, h.decision, h.decidedBy?.policy]));
        cliChecked++;
      }
      // The exit code says whether every case got the decision it expects.
      expect(run.status, scenario.name).toBe(cli.every((c) => c.asExpected) ? 0 : 1);
    }
    expect(mismatches).toEqual([]);
    expect(cliChecked).toBe(total);
  }, 240_000);

  it('names the deciding policy and rule at the right hop', async () => {
    const mesh = await applyPolicies([
      policy(
        'alpha',
        'api-no-deletes',
        '  targetRefs: [{ kind: Service, group: "", name: api }]\n  action: DENY\n  rules:\n  - to: [{ operation: { methods: ["PUT"] } }]\n  - to: [{ operation: { methods: ["DELETE"] } }]\n',
      ),
    ]);
    const result = simulate(mesh, {
      source: { workload: 'beta/reviews' },
      destination: { service: 'alpha/api' },
      port: 80,
      method: 'DELETE',
      path: '/',
    });
    expect(result.outcome).toBe('deny');
    expect(result.hops.map((h) => h.point)).toEqual(['source-ztunnel', 'waypoint']);
    expect(result.hops[1]).toMatchObject({ decision: 'deny', decidedBy: { policy: 'alpha/api-no-deletes', action: 'DENY', ruleIndex: 1 } });
    expect((await send({ from: 'beta/reviews', to: 'alpha/api', port: 80, method: 'DELETE', expect: 'deny' })).status).toBe(403);
    const allowed = simulate(mesh, {
      source: { workload: 'beta/reviews' },
      destination: { service: 'alpha/api' },
      port: 80,
      method: 'GET',
    });
    expect(allowed.route).toMatchObject({ route: 'default', action: 'Forward', backends: [{ service: 'alpha/api', share: 1 }] });
    expect(allowed.hops.at(-1)).toMatchObject({
      point: 'destination-ztunnel',
      workload: expect.stringMatching(/^alpha\/api-/),
      seen: { principal: `${TD}/ns/alpha/sa/waypoint` },
    });
  }, 60_000);

  it('collects the proxies’ flow records, previews a draft’s impact and drafts least-privilege policies', async () => {
    await applyPolicies([]);
    // Only this test's traffic: the table before sent much more.
    const since = Date.now() - 1;
    for (let i = 0; i < 3; i++) {
      await send({ from: 'beta/reviews', to: 'beta/ratings', port: 9080, expect: 'allow' });
      await send({ from: 'alpha/frontend', to: 'alpha/api', port: 80, method: 'GET', path: '/public/a', expect: 'allow' });
    }
    const collector = new FlowCollector({ targets: () => proxyFlowTargets(snapshot()) });
    await collector.collect();
    expect(collector.sources().every((s) => s.ok)).toBe(true);
    const flows = collector.flows(since);
    expect(
      flows.some(
        (f) =>
          f.reporter === 'ztunnel' &&
          f.sourcePrincipal === `${TD}/ns/beta/sa/reviews` &&
          f.destinationWorkload?.startsWith('beta/ratings-'),
      ),
    ).toBe(true);
    expect(
      flows.some(
        (f) =>
          f.reporter === 'waypoint' && f.method === 'GET' && f.path === '/public/a' && f.sourcePrincipal === `${TD}/ns/alpha/sa/frontend`,
      ),
    ).toBe(true);

    const mesh = snapshot();
    const draft = readManifests(
      policy(
        'beta',
        'ratings-deny-reviews',
        '  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - from: [{ source: { principals: ["cluster.local/ns/beta/sa/reviews"] } }]\n',
      ),
    ).map((m) => m.object);
    const impact = impactOfDraft(
      mesh,
      snapshotWithDraft(
        REGISTRY_KINDS.flatMap((k) => store.list(k)),
        draft,
        mesh,
      ),
      draft,
      flows,
    );
    expect(impact.totals.allowToDeny).toBeGreaterThanOrEqual(3);
    expect(impact.allowToDeny[0]).toMatchObject({
      sourcePrincipal: `${TD}/ns/beta/sa/reviews`,
      after: { allowed: false, policy: 'beta/ratings-deny-reviews' },
    });
    expect(impact.denyToAllow).toEqual([]);

    const generated = generateLeastPrivilegePolicies('beta', flows, mesh);
    const ratings = generated.policies.find((p) => p.spec.selector?.matchLabels?.app === 'ratings');
    expect(ratings?.spec.rules?.[0]?.from?.[0]?.source?.principals).toContain(`${TD}/ns/beta/sa/reviews`);
    // Applied, the generated policies keep the observed traffic allowed and refuse the rest.
    const withGenerated = await applyPolicies([generated.yaml]);
    const observed = { from: 'beta/reviews', to: 'beta/ratings', port: 9080, expect: 'allow' as const };
    expect(simulate(withGenerated, inputOf(observed)).outcome).toBe('allow');
    expect((await send(observed)).status).toBe(200);
    const unseen = { ...observed, from: 'gamma/loadgen', expect: 'deny' as const };
    expect(simulate(withGenerated, inputOf(unseen)).outcome).toBe('deny');
    expect(decisionOf(await send(unseen))).toBe('deny');
  }, 60_000);

  it('closes an open connection that a new policy denies, as Istio’s ztunnel does', async () => {
    await applyPolicies([]);
    const pod = findSourcePod(lookup, 'beta', 'reviews');
    const address = resolveServiceAddress(lookup, 'ratings.beta', 'beta', pod.spec.nodeName ?? '');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: pod.status?.podIP as string });
    const get = () =>
      new Promise<Sent>((resolve) => {
        const call = request({ host: address, port: 9080, path: '/', agent, timeout: 10_000 }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        });
        call.on('timeout', () => call.destroy(new Error('timed out')));
        call.on('error', (error) => resolve({ error: error.message }));
        call.end();
      });
    try {
      expect(await get()).toEqual({ status: 200 });
      const closed = new Promise<void>((resolve) => {
        for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.once('close', () => resolve());
      });
      await applyPolicies([
        policy(
          'beta',
          'ratings-deny-reviews',
          `  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - from: [{ source: { principals: ["${TD}/ns/beta/sa/reviews"] } }]\n`,
        ),
      ]);
      await closed;
      expect(decisionOf(await get())).toBe('deny');
    } finally {
      agent.destroy();
    }
  }, 60_000);

  it('refuses `ambit curl` from reviews to ratings once a DENY is applied', async () => {
    await applyPolicies([
      policy(
        'beta',
        'ratings-deny-reviews',
        '  selector: { matchLabels: { app: ratings } }\n  action: DENY\n  rules:\n  - from: [{ source: { principals: ["cluster.local/ns/beta/sa/reviews"] } }]\n',
      ),
    ]);
    const run = runAmbit(dataDir, ['curl', '--from', 'beta/reviews', 'http://ratings.beta:9080/', '-o', 'json']);
    expect(run.status).not.toBe(0);
    const check = runAmbit(dataDir, ['authz', 'check', '--from', 'beta/reviews', '--to-service', 'beta/ratings', '--port', '9080']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('DENY beta/ratings-deny-reviews rule 0');
  }, 60_000);
});
