import { type KubeObject, readManifests } from '@ambit/shared';
import type { FlowRecord } from '@ambit/shared/authz';
import { describe, expect, it } from 'vitest';
import { bookinfoObjects } from '../registry/test-fixtures';
import { simulate } from '../simulate/simulate';
import { bookinfoSnapshot } from '../topology/test-fixtures';
import { FlowCollector, proxyFlowTargets } from './collector';
import { generateLeastPrivilegePolicies } from './generate';
import { impactOfDraft, snapshotWithDraft } from './impact';
import { parseFlowPage } from './wire';

const TD = 'cluster.local';
const REVIEWS = `${TD}/ns/demo/sa/bookinfo-reviews`;
const PRODUCTPAGE = `${TD}/ns/demo/sa/bookinfo-productpage`;

function draft(yaml: string): KubeObject[] {
  return readManifests(yaml).map(({ object }) => object);
}

/** A ztunnel record for a real connection in the Bookinfo snapshot: `from` → the first pod of `to`. */
function connection(from: string, principal: string, to: string, allowed = true): FlowRecord {
  const snapshot = bookinfoSnapshot();
  const source = [...snapshot.workloads.values()].find((w) => w.workloadName === from);
  const destination = [...snapshot.workloads.values()].find((w) => w.workloadName === to);
  return {
    time: Date.now(),
    reporter: 'ztunnel',
    proxy: `ztunnel/${destination?.node}`,
    sourcePrincipal: principal,
    sourceIp: source?.addresses[0] ?? '',
    sourceWorkload: `demo/${source?.name}`,
    destinationIp: destination?.addresses[0] ?? '',
    destinationPort: 9080,
    destinationWorkload: `demo/${destination?.name}`,
    allowed,
  };
}

/** A collector reading one proxy through `fake` at a fixed time, and the destination ports of what it collected. */
function oneProxyCollector(fake: typeof fetch, now: number) {
  const collector = new FlowCollector({
    targets: () => [{ name: 'ztunnel/node-1', url: 'http://127.11.0.1:15000/debug/flows' }],
    now: () => now,
    fetch: fake,
  });
  return { collector, ports: () => collector.flows().map((r) => r.destinationPort) };
}

/** from, from + 1, …, n. */
const upTo = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, k) => from + k);

describe('impactOfDraft', () => {
  it('lists the flows a draft DENY would refuse, grouped with counts, and those an ALLOW would let through', () => {
    const base = bookinfoSnapshot({
      extra: draft(
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: details-deny-all, namespace: demo }\nspec:\n  selector: { matchLabels: { app: details } }\n  action: DENY\n  rules: [{}]\n',
      ),
    });
    const flows = [
      connection('reviews-v2', REVIEWS, 'ratings-v1'),
      connection('reviews-v2', REVIEWS, 'ratings-v1'),
      connection('reviews-v3', REVIEWS, 'ratings-v1'),
      connection('productpage-v1', PRODUCTPAGE, 'details-v1', false),
      connection('productpage-v1', PRODUCTPAGE, 'reviews-v1'),
    ];
    const documents = draft(
      [
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: ratings-deny-reviews, namespace: demo }\nspec:',
        '  selector: { matchLabels: { app: ratings } }\n  action: DENY',
        `  rules:\n  - from: [{ source: { principals: ["${REVIEWS}"] } }]`,
        '---',
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: details-deny-all, namespace: demo }\nspec:',
        '  selector: { matchLabels: { app: details } }\n  action: DENY\n  rules:\n  - from: [{ source: { notNamespaces: ["demo"] } }]',
        '',
      ].join('\n'),
    );
    const withDraft = snapshotWithDraft(bookinfoObjects(), documents, base);
    const report = impactOfDraft(base, withDraft, documents, flows);
    expect(report.draft).toEqual(['AuthorizationPolicy/demo/ratings-deny-reviews', 'AuthorizationPolicy/demo/details-deny-all']);
    expect(report.totals).toEqual({ allowToDeny: 3, denyToAllow: 1, unchanged: 1, unreplayable: 0 });
    expect(report.allowToDeny.map((g) => [g.sourceWorkload?.replace(/-[^-]+-\d+$/, ''), g.count])).toEqual([
      ['demo/reviews-v2', 2],
      ['demo/reviews-v3', 1],
    ]);
    expect(report.allowToDeny[0]).toMatchObject({
      before: { allowed: true },
      after: { allowed: false, policy: 'demo/ratings-deny-reviews', ruleIndex: 0 },
    });
    expect(report.denyToAllow[0]).toMatchObject({
      count: 1,
      before: { allowed: false, policy: 'demo/details-deny-all' },
      after: { allowed: true },
    });
  });

  it('replays waypoint records against the waypoint’s policies, with method and path', () => {
    const base = bookinfoSnapshot({ waypoint: true });
    const reviews = base.services.get('demo/reviews.demo.svc.cluster.local');
    const record = (method: string): FlowRecord => ({
      time: Date.now(),
      reporter: 'waypoint',
      proxy: 'waypoint/demo/waypoint',
      sourcePrincipal: PRODUCTPAGE,
      sourceIp: '127.11.1.1',
      destinationIp: reviews?.addresses[0] ?? '',
      destinationPort: 9080,
      destinationService: reviews?.hostname ?? '',
      method,
      path: '/reviews/0',
      allowed: true,
    });
    const documents = draft(
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: no-deletes, namespace: demo }\nspec:\n  targetRefs: [{ kind: Service, group: "", name: reviews }]\n  action: DENY\n  rules:\n  - to: [{ operation: { methods: ["DELETE"] } }]\n',
    );
    const report = impactOfDraft(base, snapshotWithDraft(bookinfoSnapshotObjects(), documents, base), documents, [
      record('GET'),
      record('DELETE'),
    ]);
    expect(report.totals.allowToDeny).toBe(1);
    expect(report.allowToDeny[0]).toMatchObject({ method: 'DELETE', path: '/reviews/0', after: { policy: 'demo/no-deletes' } });
  });
});

/** The objects bookinfoSnapshot({ waypoint: true }) is built from, for laying a draft over them. */
function bookinfoSnapshotObjects(): KubeObject[] {
  return [
    ...bookinfoObjects().map((o) =>
      o.kind === 'Namespace'
        ? { ...o, metadata: { ...o.metadata, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } }
        : o,
    ),
    ...draft(
      [
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: demo }',
        'spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }',
        '---',
        'apiVersion: v1\nkind: Service\nmetadata: { name: waypoint, namespace: demo, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }',
        'spec: { selector: { gateway.networking.k8s.io/gateway-name: waypoint }, ports: [{ name: mesh, port: 15008 }] }',
        '---',
        'apiVersion: v1\nkind: Pod\nmetadata: { name: waypoint-7c9d-0, namespace: demo, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }',
        'spec: { serviceAccountName: waypoint, nodeName: node-1, containers: [{ name: waypoint }] }',
        'status: { phase: Running, podIP: 127.11.1.50, containerStatuses: [{ name: waypoint, ready: true }] }',
        '',
      ].join('\n'),
    ),
  ];
}

describe('generateLeastPrivilegePolicies', () => {
  it('allows exactly the observed principals and ports per workload selector, and nothing else', () => {
    const base = bookinfoSnapshot();
    const flows = [
      connection('reviews-v2', REVIEWS, 'ratings-v1'),
      connection('productpage-v1', PRODUCTPAGE, 'details-v1'),
      connection('productpage-v1', PRODUCTPAGE, 'reviews-v1'),
      connection('productpage-v1', PRODUCTPAGE, 'reviews-v2'),
      connection('reviews-v2', REVIEWS, 'details-v1', false),
    ];
    const generated = generateLeastPrivilegePolicies('demo', flows, base);
    expect(generated.policies.map((p) => [p.metadata.name, p.spec.selector?.matchLabels])).toEqual([
      ['allow-observed-details', { app: 'details' }],
      ['allow-observed-ratings', { app: 'ratings' }],
      ['allow-observed-reviews', { app: 'reviews' }],
    ]);
    expect(generated.policies[1]?.spec.rules).toEqual([
      { from: [{ source: { principals: [REVIEWS] } }], to: [{ operation: { ports: ['9080'] } }] },
    ]);
    expect(generated.yaml).toContain('kind: AuthorizationPolicy');

    // Applied, they keep the observed traffic and refuse the rest (the denied flow stays denied).
    const applied = bookinfoSnapshot({ extra: readManifests(generated.yaml).map(({ object }) => object) });
    const check = (from: string, to: string) =>
      simulate(applied, { source: { workload: `demo/${from}` }, destination: { service: `demo/${to}` }, port: 9080 }).outcome;
    expect(check('reviews-v2', 'ratings')).toBe('allow');
    expect(check('productpage', 'details')).toBe('allow');
    expect(check('reviews-v2', 'details')).toBe('deny');
    expect(check('productpage', 'ratings')).toBe('deny');
  });

  it('puts methods and paths only in waypoint (targetRefs) policies', () => {
    const base = bookinfoSnapshot({ waypoint: true });
    const reviews = base.services.get('demo/reviews.demo.svc.cluster.local');
    const flow: FlowRecord = {
      time: Date.now(),
      reporter: 'waypoint',
      proxy: 'waypoint/demo/waypoint',
      sourcePrincipal: PRODUCTPAGE,
      sourceIp: '127.11.1.1',
      destinationIp: reviews?.addresses[0] ?? '',
      destinationPort: 9080,
      destinationService: reviews?.hostname ?? '',
      method: 'GET',
      path: '/reviews/0?x=1',
      allowed: true,
    };
    const generated = generateLeastPrivilegePolicies('demo', [flow, { ...flow, method: 'POST' }], base);
    expect(generated.policies).toHaveLength(1);
    expect(generated.policies[0]?.spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: [PRODUCTPAGE] } }],
          to: [{ operation: { ports: ['9080'], paths: ['/reviews/0'], methods: ['GET', 'POST'] } }],
        },
      ],
    });
  });
});

/** A proxy's `/debug/flows?after=<sequence>` as the dataplane's flow ring answers it: numbered records, a boot id per run. */
class FakeFlowProxy {
  boot = 'boot-1';
  private records: object[] = [];
  /** Records numbered before the ones held (the ring overwrote them). */
  private dropped = 0;

  record(count: number, time: number): void {
    for (let k = 0; k < count; k++) {
      const port = this.dropped + this.records.length + 1;
      this.records.push({ time, reporter: 'ztunnel', sourceIp: '1.1.1.1', destinationIp: '2.2.2.2', destinationPort: port, allowed: true });
    }
  }

  /** Keeps only the newest `count` records, as a full ring does. */
  overwrite(count: number): void {
    this.dropped += this.records.length - count;
    this.records = this.records.slice(-count);
  }

  restart(boot: string): void {
    this.boot = boot;
    this.records = [];
    this.dropped = 0;
  }

  answer(after: number): object {
    const last = this.dropped + this.records.length;
    const skip = Math.min(this.records.length, Math.max(0, after - this.dropped));
    return { proxy: 'ztunnel/node-1', boot: this.boot, first: this.dropped + skip + 1, last, flows: this.records.slice(skip) };
  }
}

/** A proxy from before sequence numbers: `/debug/flows?since=<ms>` (exclusive) answers `{ proxy, flows }`, `after` is unknown to it. */
class OlderFlowProxy {
  private records: { time: number; destinationPort: number }[] = [];

  constructor(private nextPort = 1) {}

  record(count: number, time: number): void {
    for (let k = 0; k < count; k++) this.records.push({ time, destinationPort: this.nextPort++ });
  }

  answer(url: URL): object {
    const since = Number(url.searchParams.get('since') ?? 0);
    const flows = this.records
      .filter((r) => r.time > since)
      .map((r) => ({ ...r, reporter: 'ztunnel', sourceIp: '1.1.1.1', destinationIp: '2.2.2.2', allowed: true }));
    return { proxy: 'ztunnel/node-1', flows };
  }
}

describe('collecting flows', () => {
  it('reads every proxy’s /debug/flows after the last sequence number it saw, keeps a bounded window and reports failures', async () => {
    const snapshot = bookinfoSnapshot({ waypoint: true });
    const targets = proxyFlowTargets(snapshot);
    expect(targets.map((t) => t.url)).toEqual([
      'http://127.11.1.50:15000/debug/flows',
      'http://127.11.0.1:15000/debug/flows',
      'http://127.12.0.1:15000/debug/flows',
    ]);
    let now = 1_000_000;
    const asked: string[] = [];
    const fake = (async (url: string) => {
      asked.push(url);
      if (url.startsWith('http://127.12.')) throw new Error('connect ECONNREFUSED');
      const flows = [
        { time: now - 10, reporter: 'ztunnel', sourceIp: '1.1.1.1', destinationIp: '2.2.2.2', destinationPort: 80, allowed: true },
      ];
      const after = Number(new URL(url).searchParams.get('after'));
      return new Response(JSON.stringify({ proxy: 'p', boot: 'b', first: after + 1, last: after + 1, flows: [...flows, { bogus: true }] }));
    }) as typeof fetch;
    const collector = new FlowCollector({ targets: () => targets, windowMs: 1_000, maxFlows: 3, now: () => now, fetch: fake });
    await collector.collect();
    expect(collector.flows()).toHaveLength(2);
    expect(collector.sources().map((s) => [s.name, s.ok])).toEqual([
      ['waypoint/demo/waypoint-7c9d-0', true],
      ['ztunnel/node-1', true],
      ['ztunnel/node-2', false],
    ]);
    expect(collector.sources()[2]?.error).toMatch(/ECONNREFUSED/);
    now += 100;
    await collector.collect();
    expect(asked.filter((u) => u.startsWith('http://127.11.0.1')).map((u) => new URL(u).search)).toEqual(['?after=0', '?after=1']);
    expect(collector.flows()).toHaveLength(3);
    now += 5_000;
    expect(collector.flows()).toEqual([]);
  });

  it('collects every record exactly once when thousands share a millisecond, and reads a restarted proxy from its start', async () => {
    const proxy = new FakeFlowProxy();
    const fake = (async (url: string) =>
      new Response(JSON.stringify(proxy.answer(Number(new URL(url).searchParams.get('after')))))) as typeof fetch;
    const now = 5_000_000;
    const { collector, ports } = oneProxyCollector(fake, now);

    proxy.record(1_500, now);
    await collector.collect();
    // More in the very same millisecond after the read: a time cursor would never ask for them.
    proxy.record(2_500, now);
    await collector.collect();
    await collector.collect();
    expect(ports()).toEqual(upTo(4_000));

    // The ring overwrote some before the next read: the rest are read once, the gap is counted.
    proxy.record(100, now);
    proxy.overwrite(60);
    await collector.collect();
    expect(ports()).toEqual([...upTo(4_000), ...upTo(4_100, 4_041)]);
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 0, missed: 40 });

    // The proxy restarts: numbering begins again under a new boot id, below the collector's cursor.
    proxy.restart('boot-2');
    proxy.record(30, now + 1);
    await collector.collect();
    expect(
      collector
        .flows()
        .slice(4_060)
        .map((r) => [r.time, r.destinationPort]),
    ).toEqual(upTo(30).map((p) => [now + 1, p]));
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 1, missed: 40 });
    proxy.record(5, now + 1);
    await collector.collect();
    expect(collector.flows()).toHaveLength(4_060 + 35);
  });

  it('reads a proxy older than sequence numbers (no boot id) without failing it, each record once, through up- and downgrades', async () => {
    let proxy: OlderFlowProxy | FakeFlowProxy = new OlderFlowProxy();
    const fake = (async (url: string) => {
      const asked = new URL(url);
      const answer = proxy instanceof OlderFlowProxy ? proxy.answer(asked) : proxy.answer(Number(asked.searchParams.get('after') ?? 0));
      return new Response(JSON.stringify(answer));
    }) as typeof fetch;
    const now = 5_000_000;
    const { collector, ports } = oneProxyCollector(fake, now);

    const older = proxy;
    older.record(1_500, now);
    await collector.collect();
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 0 });
    // More in the millisecond the collector last read, then in the next: none lost, none read twice.
    older.record(2_500, now);
    await collector.collect();
    older.record(10, now + 1);
    await collector.collect();
    await collector.collect();
    expect(ports()).toEqual(upTo(4_010));
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 0 });

    // Upgraded (a restart): its new run is read by sequence number from the start.
    const upgraded = new FakeFlowProxy();
    proxy = upgraded;
    upgraded.record(5, now + 2);
    await collector.collect();
    upgraded.record(2, now + 2);
    await collector.collect();
    expect(ports().slice(4_010)).toEqual(upTo(7));
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 1 });

    // Rolled back: the older version's whole ring is new records.
    const rolledBack = new OlderFlowProxy(100);
    proxy = rolledBack;
    rolledBack.record(3, now + 3);
    await collector.collect();
    await collector.collect();
    expect(ports().slice(4_017)).toEqual([100, 101, 102]);
    expect(collector.sources()[0]).toMatchObject({ ok: true, restarts: 2 });
  });

  it('drops records without the fields a replay needs', () => {
    expect(
      parseFlowPage(
        {
          boot: 'b',
          first: 1,
          last: 2,
          flows: [
            { time: 1 },
            { time: 1, reporter: 'waypoint', sourceIp: 'a', destinationIp: 'b', destinationPort: 1, allowed: false, extra: 1 },
          ],
        },
        'x',
      ).flows,
    ).toEqual([{ time: 1, reporter: 'waypoint', proxy: 'x', sourceIp: 'a', destinationIp: 'b', destinationPort: 1, allowed: false }]);
    expect(() => parseFlowPage('nope', 'x')).toThrow(/not a \/debug\/flows answer/);
    // A proxy older than sequence numbers answers without a boot id; one that claims a boot id must number its page.
    expect(parseFlowPage({ proxy: 'x', flows: [] }, 'x')).toEqual({ flows: [] });
    expect(() => parseFlowPage({ boot: 'b', flows: [] }, 'x')).toThrow(/not a \/debug\/flows answer/);
  });
});
