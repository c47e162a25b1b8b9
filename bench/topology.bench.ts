/**
 * The topology at the size issue 7 asks the console to handle: 1,000 nodes and 3,000 edges
 * (500 workloads and 500 services in 10 namespaces behind waypoints, each workload calling 5
 * services), built from 66,500 telemetry samples — requests by code, duration buckets and both
 * ztunnel hops of every call.
 *
 * Measures (1) buildTopology alone, from telemetry answers (target: well under 200 ms; wall and
 * CPU time, as the machine is shared), (2) the mTLS audit of the same, and (3) the whole query
 * path of the BFF on the embedded back end — series scraped as Prometheus text, the five topology
 * queries evaluated, the graph built — for a mesh whose series fit the embedded store's default
 * bound (10,000 series) and, for information, for all 66,500 series of the big one.
 */
import { loadavg } from 'node:os';
import { DEFAULT_MAX_SERIES, EmbeddedTelemetry, type VectorSample } from '@ambit/control-plane/telemetry';
import { buildMtlsAudit, buildTopology, queryTopologyTelemetry } from '@ambit/control-plane/topology';
import { type SyntheticTopologySize, syntheticTopology } from '@ambit/control-plane/topology/test-fixtures';
import { atMost, type Benchmark, type BenchmarkReport, summarize } from './harness';

const SIZE = { namespaces: 10, servicesPerNamespace: 50, callsPerWorkload: 5 };
/** 100 workloads calling 3 services each: about 8,000 series, within the embedded store's default bound. */
const EMBEDDED_SIZE = { namespaces: 2, servicesPerNamespace: 50, callsPerWorkload: 3 };
const WARMUP = 5;
const SAMPLES = 30;
const PIPELINE_SAMPLES = 10;
const SCRAPE_INTERVAL_MS = 5_000;

function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, value };
}

/** The samples as Prometheus text: counters whose value grows at the sample's rate. */
function exposition(series: readonly { metric: string; labels: string; rate: number }[], seconds: number): string {
  const lines = new Array<string>(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as { metric: string; labels: string; rate: number };
    lines[i] = `${s.metric}{${s.labels}} ${s.rate * seconds}`;
  }
  return lines.join('\n');
}

function asSeries(metric: string, samples: readonly VectorSample[], extra: Record<string, string> = {}) {
  return samples.map((s) => ({
    metric,
    labels: Object.entries({ ...extra, ...s.labels })
      .map(([k, v]) => `${k}="${v}"`)
      .join(','),
    rate: s.value,
  }));
}

/** The BFF's path on the embedded back end: the mesh's series scraped as Prometheus text, queried, built into a graph. */
async function embeddedPath(size: SyntheticTopologySize, log: (line: string) => void) {
  const { snapshot, telemetry } = syntheticTopology(size);
  const direct = buildTopology(telemetry, snapshot);
  const series = [
    ...asSeries('istio_requests_total', telemetry.requests, { reporter: 'waypoint' }),
    ...asSeries('istio_request_duration_milliseconds_bucket', telemetry.durationBuckets, { reporter: 'waypoint' }),
    ...asSeries('istio_tcp_sent_bytes_total', telemetry.tcpSent),
    ...asSeries('istio_tcp_received_bytes_total', telemetry.tcpReceived),
    ...asSeries('istio_tcp_connections_opened_total', telemetry.tcpOpened),
  ];
  let now = 1_700_000_000_000;
  let scrapes = 0;
  const embedded = new EmbeddedTelemetry({
    targets: () => [{ name: 'mesh', url: 'http://mesh.invalid/metrics' }],
    fetch: async () => new Response(exposition(series, 1000 + scrapes++ * (SCRAPE_INTERVAL_MS / 1000))),
    now: () => now,
    retentionMs: 60_000,
    maxSeries: Math.max(DEFAULT_MAX_SERIES, series.length),
    maxBodyBytes: 256 * 1024 * 1024,
  });
  try {
    const scrapeMs: number[] = [];
    for (let i = 0; i < 13; i++) {
      const started = performance.now();
      await embedded.scrapeOnce();
      scrapeMs.push(performance.now() - started);
      now += SCRAPE_INTERVAL_MS;
    }
    const at = now - SCRAPE_INTERVAL_MS;
    const queryMs: number[] = [];
    const pipelineMs: number[] = [];
    let graph = direct;
    for (let i = 0; i < PIPELINE_SAMPLES; i++) {
      const started = performance.now();
      const answers = await queryTopologyTelemetry(embedded, { windowSeconds: 60, at });
      queryMs.push(performance.now() - started);
      graph = buildTopology(answers, snapshot);
      pipelineMs.push(performance.now() - started);
    }
    if (graph.edges.length !== direct.edges.length) {
      throw new Error(`the scraped path built ${graph.edges.length} edges, the direct one ${direct.edges.length}`);
    }
    const stats = embedded.stats();
    const result = {
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      series: stats.series,
      sampleBytes: stats.sampleBytes,
      scrapeMs: summarize(scrapeMs),
      queryMs: summarize(queryMs),
      queryAndBuildMs: summarize(pipelineMs),
    };
    log(
      `embedded back end, ${result.series} series (${result.nodes} nodes, ${result.edges} edges): scrape + ingest p50 ${result.scrapeMs.p50} ms, ` +
        `query + build p50 ${result.queryAndBuildMs.p50} ms (queries p50 ${result.queryMs.p50} ms)`,
    );
    return result;
  } finally {
    await embedded.stop();
  }
}

async function run(log: (line: string) => void): Promise<BenchmarkReport> {
  const setup = time(() => syntheticTopology(SIZE));
  const { snapshot, telemetry } = setup.value;
  const samples = telemetry.requests.length + telemetry.durationBuckets.length + 3 * telemetry.tcpSent.length;
  log(`synthetic mesh and ${samples} telemetry samples made in ${Math.round(setup.ms)} ms`);

  for (let i = 0; i < WARMUP; i++) buildTopology(telemetry, snapshot);
  const buildMs: number[] = [];
  const buildCpuMs: number[] = [];
  let graph = buildTopology(telemetry, snapshot);
  for (let i = 0; i < SAMPLES; i++) {
    const measured = time(() => buildTopology(telemetry, snapshot));
    buildMs.push(measured.ms);
    buildCpuMs.push(measured.cpuMs);
    graph = measured.value;
  }
  const build = summarize(buildMs);
  const buildCpu = summarize(buildCpuMs);
  const json = time(() => JSON.stringify(graph));
  log(
    `buildTopology: ${graph.nodes.length} nodes, ${graph.edges.length} edges: p50 ${build.p50} ms, p99 ${build.p99} ms ` +
      `(CPU p50 ${buildCpu.p50} ms; load average ${loadavg()[0]?.toFixed(1)})`,
  );
  log(`graph JSON: ${(json.value.length / 1024).toFixed(0)} KiB, stringified in ${json.ms.toFixed(1)} ms`);

  const auditMs: number[] = [];
  for (let i = 0; i < 10; i++) auditMs.push(time(() => buildMtlsAudit(telemetry, snapshot)).ms);
  const audit = summarize(auditMs);
  log(`mTLS audit: p50 ${audit.p50} ms`);

  const bounded = await embeddedPath(EMBEDDED_SIZE, log);
  const unbounded = await embeddedPath(SIZE, log);

  return {
    config: {
      mesh: { ...SIZE, workloads: 500, services: 500 },
      telemetrySamples: samples,
      warmup: WARMUP,
      samples: SAMPLES,
      pipelineSamples: PIPELINE_SAMPLES,
      embeddedMesh: EMBEDDED_SIZE,
      percentiles: 'nearest rank',
    },
    results: {
      graph: { nodes: graph.nodes.length, edges: graph.edges.length, jsonKiB: Math.round(json.value.length / 1024) },
      buildTopologyMs: build,
      buildTopologyCpuMs: buildCpu,
      loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
      mtlsAuditMs: audit,
      jsonStringifyMs: Math.round(json.ms * 10) / 10,
      embeddedWithinDefaultBound: bounded,
      embeddedAllSeries: unbounded,
    },
    targets: [
      atMost('buildTopology p50, 1,000 nodes / 3,000 edges', build.p50, 200, 'ms'),
      atMost('buildTopology p99, 1,000 nodes / 3,000 edges', build.p99, 200, 'ms'),
      atMost(`query + build on the embedded back end, ${bounded.series} series, p50`, bounded.queryAndBuildMs.p50, 200, 'ms'),
    ],
  };
}

export const benchmark: Benchmark = {
  name: 'topology',
  description: '1,000-node / 3,000-edge topology from 66,500 telemetry samples; mTLS audit; query + build on the embedded back end',
  run,
};
