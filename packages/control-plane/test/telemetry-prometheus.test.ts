// The Prometheus back end against a real Prometheus server (Debian's `prometheus` package) that
// scrapes a real embedded mesh (`ambit up`, nodes 111–112, the demo's steady traffic), next to the
// embedded scraper reading the same proxies: the topology, the mTLS audit and Flagger's two
// built-in canary metrics must agree within sampling tolerance (the two scrape at different
// instants, 1 s apart at most). Without the binary this test fails and says how to install it.
//
// The canary analysis is checked twice: with the rollout controller's own metric checks
// (rollout/metric-checks.ts, Flagger's thresholds judged on each back end's answers), and as
// Flagger's two raw queries (requestSuccessRate, requestDuration) through TelemetrySource.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Canary, validateObject } from '@ambit/shared';
import { durationBucketOf } from '@ambit/shared/istio-telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type Registry } from '../src/registry/index';
import { checkMetrics } from '../src/rollout/index';
import { openSqliteStore, type SqliteStore } from '../src/store/index';
import {
  EmbeddedTelemetry,
  matching,
  PrometheusTelemetry,
  prometheusScrapeConfig,
  proxyScrapeTargets,
  rateQuery,
  requestDuration,
  requestSuccessRate,
  type ScrapeTarget,
  type TelemetrySource,
} from '../src/telemetry/index';
import { buildMtlsAudit, buildTopology, queryTopologyTelemetry, type TopologyGraph } from '../src/topology/index';
import { type MeshProcess, startMesh } from './support/mesh-process';
import { type PrometheusServer, requirePrometheus, startPrometheus } from './support/prometheus-server';

const WINDOW_SECONDS = 20;
/** Relative tolerance between the back ends: their scrapes of a counter are up to one interval apart. */
const TOLERANCE = 0.2;

let dir: string;
let mesh: MeshProcess | undefined;
let store: SqliteStore | undefined;
let registry: Registry | undefined;
let embedded: EmbeddedTelemetry | undefined;
let prometheusServer: PrometheusServer | undefined;
let prometheus: PrometheusTelemetry;

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
}

function edgesOf(graph: TopologyGraph) {
  return new Map(graph.edges.map((e) => [e.id, e]));
}

beforeAll(async () => {
  requirePrometheus();
  dir = mkdtempSync(join(tmpdir(), 'ambit-prom-'));
  const dataDir = join(dir, 'data');
  mesh = startMesh(dataDir, ['--nodes', '2', '--first-node', '111']);
  await mesh.ready(90_000);
  store = openSqliteStore({ dataDir, pollIntervalMs: 200 });
  registry = createRegistry(store);
  const live = registry;
  const targets = await waitFor<ScrapeTarget[]>(
    'the ztunnels and the waypoint to be registered',
    () => {
      const t = proxyScrapeTargets(live.snapshot());
      return t.some((x) => x.labels?.proxy === 'waypoint') && t.filter((x) => x.labels?.proxy === 'ztunnel').length === 2 ? t : undefined;
    },
    60_000,
  );
  embedded = new EmbeddedTelemetry({ targets: () => targets, intervalMs: 1_000 });
  embedded.start();
  prometheusServer = await startPrometheus(prometheusScrapeConfig(targets, { intervalSeconds: 1 }));
  prometheus = new PrometheusTelemetry({ url: prometheusServer.url });
  // Enough history in both for a full window of demo traffic.
  await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS + 5) * 1000));
}, 180_000);

afterAll(async () => {
  await embedded?.stop();
  await prometheusServer?.stop();
  registry?.close();
  store?.close();
  await mesh?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('Prometheus back end on a real Prometheus scraping the embedded mesh', () => {
  it('sees every proxy as a healthy scrape target with the labels the topology reads', async () => {
    const fromPrometheus = await prometheus.targets();
    const fromEmbedded = await (embedded as TelemetrySource).targets();
    expect(fromPrometheus.map((t) => t.name)).toEqual(fromEmbedded.map((t) => t.name));
    for (const t of fromPrometheus) {
      expect(t.health).toBe('up');
      expect(t.labels.proxy).toMatch(/^(ztunnel|waypoint)$/);
    }
  });

  it('draws the same topology (edges, protocols, security, rates within tolerance)', async () => {
    const snapshot = (registry as Registry).snapshot();
    const at = Date.now() - 2_000;
    const [a, b] = await Promise.all([
      queryTopologyTelemetry(embedded as TelemetrySource, { windowSeconds: WINDOW_SECONDS, at }),
      queryTopologyTelemetry(prometheus, { windowSeconds: WINDOW_SECONDS, at }),
    ]);
    const viaEmbedded = buildTopology(a, snapshot);
    const viaPrometheus = buildTopology(b, snapshot);
    const ea = edgesOf(viaEmbedded);
    const eb = edgesOf(viaPrometheus);
    expect(ea.size).toBeGreaterThan(2);
    expect([...eb.keys()].sort()).toEqual([...ea.keys()].sort());
    expect(viaPrometheus.nodes.map((n) => n.id)).toEqual(viaEmbedded.nodes.map((n) => n.id));
    for (const [id, edge] of ea) {
      const other = eb.get(id);
      expect(other?.protocol, id).toBe(edge.protocol);
      expect(other?.security.policy, id).toBe(edge.security.policy);
      expect(
        close(other?.requestsPerSecond ?? -1, edge.requestsPerSecond),
        `${id}: ${other?.requestsPerSecond} vs ${edge.requestsPerSecond} rps`,
      ).toBe(true);
    }
    expect(viaPrometheus.nodes.filter((n) => n.scrape?.up === true).length).toBe(
      viaEmbedded.nodes.filter((n) => n.scrape?.up === true).length,
    );
  });

  it('gives the same mTLS audit verdicts', async () => {
    const snapshot = (registry as Registry).snapshot();
    const at = Date.now() - 2_000;
    const [a, b] = await Promise.all([
      queryTopologyTelemetry(embedded as TelemetrySource, { windowSeconds: WINDOW_SECONDS, at }),
      queryTopologyTelemetry(prometheus, { windowSeconds: WINDOW_SECONDS, at }),
    ]);
    const viaEmbedded = buildMtlsAudit(a, snapshot);
    const viaPrometheus = buildMtlsAudit(b, snapshot);
    expect(viaEmbedded.edges.length).toBeGreaterThan(0);
    const verdict = (audit: typeof viaEmbedded) => ({
      mesh: {
        status: audit.mesh.status,
        edges: audit.mesh.edges,
        mtlsEdges: audit.mesh.mtlsEdges,
        plaintextEdges: audit.mesh.plaintextEdges,
      },
      workloads: audit.workloads.map((w) => `${w.namespace}/${w.name}:${w.status}:${w.plaintextObserved}`),
      findings: audit.findings.map((f) => `${f.code}:${f.edge ?? f.workload ?? ''}`).sort(),
    });
    expect(verdict(viaPrometheus)).toEqual(verdict(viaEmbedded));
  });

  it("computes Flagger's request-success-rate and request-duration for a workload behind the waypoint alike", async () => {
    const at = Date.now() - 2_000;
    const target = { namespace: 'demo', workload: 'reviews-v.*', windowSeconds: WINDOW_SECONDS };
    const ask = (source: TelemetrySource) =>
      Promise.all([source.instant(requestSuccessRate(target), { at }), source.instant(requestDuration(target), { at })]);
    const [[rateA, durationA], [rateB, durationB]] = await Promise.all([ask(embedded as TelemetrySource), ask(prometheus)]);
    const successA = rateA.samples[0]?.value;
    const successB = rateB.samples[0]?.value;
    expect(successA, 'the demo sends reviews traffic through the waypoint').toBeGreaterThan(0);
    expect(Math.abs((successB ?? -1) * 100 - (successA ?? 0) * 100)).toBeLessThanOrEqual(5);
    const p99A = durationA.samples[0]?.value ?? Number.NaN;
    const p99B = durationB.samples[0]?.value ?? Number.NaN;
    expect(Number.isFinite(p99A) && Number.isFinite(p99B), `p99 ${p99A} vs ${p99B}`).toBe(true);
    // Both interpolate within the bucket the 99th request falls in; on a loaded run that request is the window's slowest
    // one or two, and the two windows differ by a scrape at their edges: at most a neighbouring bucket apart (a unit or
    // quantile mistake is many buckets off).
    expect(Math.abs(durationBucketOf(p99A) - durationBucketOf(p99B)), `p99 ${p99A} vs ${p99B} ms`).toBeLessThanOrEqual(1);
  });

  it('passes or fails the same canary analysis (rollout controller’s metric checks) on either back end', async () => {
    const canary = validateObject({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'reviews', namespace: 'demo' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews-v1' },
        service: { port: 9080 },
        analysis: {
          interval: '10s',
          threshold: 2,
          maxWeight: 50,
          stepWeight: 10,
          metrics: [
            { name: 'request-success-rate', interval: `${WINDOW_SECONDS}s`, thresholdRange: { min: 99 } },
            { name: 'request-duration', interval: `${WINDOW_SECONDS}s`, thresholdRange: { max: 500 } },
            // A bound the demo cannot meet: both back ends must fail it alike.
            { name: 'request-duration', interval: `${WINDOW_SECONDS}s`, thresholdRange: { max: 0.001 } },
          ],
        },
      },
    }) as Canary;
    const at = Date.now() - 2_000;
    const [viaEmbedded, viaPrometheus] = await Promise.all([checkMetrics(canary, embedded, at), checkMetrics(canary, prometheus, at)]);
    expect(viaEmbedded.map((c) => c.passed)).toEqual([true, true, false]);
    expect(viaPrometheus.map((c) => c.passed)).toEqual(viaEmbedded.map((c) => c.passed));
    const [rateA] = viaEmbedded;
    const [rateB] = viaPrometheus;
    expect(Math.abs((rateB?.value ?? -1) - (rateA?.value ?? 0))).toBeLessThanOrEqual(5);
    // The p99 values themselves are compared by the test above. Here only the decisions must agree: on a loaded machine the
    // window's slowest request or two make a p99, and the two back ends' windows are a scrape apart at their edges
    // (clean-clone runs saw 20 vs 31 ms and 9 vs 42 ms), while both stayed far inside the 500 ms bound and far above 0.001.
    expect(viaPrometheus[1]?.passed).toBe(true);
  });

  it('answers a range query aligned to the same steps', async () => {
    const end = Date.now() - 2_000;
    const range = { start: end - 10_000, end, stepMs: 2_000 };
    const query = requestSuccessRate({ namespace: 'demo', workload: '.*', windowSeconds: WINDOW_SECONDS });
    const [a, b] = await Promise.all([(embedded as TelemetrySource).range(query, range), prometheus.range(query, range)]);
    expect(b.timestamps).toEqual(a.timestamps);
    expect(b.series.length).toBe(a.series.length);
    expect(b.series[0]?.values.every((v) => v !== null && v > 0.5)).toBe(true);
  });

  it('names the server and the cause when Prometheus refuses a query or is away', async () => {
    const away = new PrometheusTelemetry({ url: 'http://127.0.0.1:1', timeoutMs: 2_000 });
    await expect(away.targets()).rejects.toThrow(/Prometheus at http:\/\/127\.0\.0\.1:1 cannot be reached/);
    // A lookahead is a JavaScript regular expression but not an RE2 one: Prometheus refuses it as bad_data.
    const lookahead = rateQuery('istio_requests_total', {
      windowSeconds: 10,
      matchers: [matching('destination_workload', '(?=r)reviews.*')],
    });
    await expect(prometheus.instant(lookahead)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('bad_data'),
    });
  });
});
