// The embedded store's memory bound, measured: what a full store of Istio-labelled series costs.
import { describe, expect, it } from 'vitest';
import { EmbeddedTelemetry, rateQuery } from '../src/telemetry/index';

const gc: () => void =
  globalThis.gc ??
  (() => {
    throw new Error('globalThis.gc is missing: run this file with vitest.config.ts, which starts workers with --expose-gc');
  });

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A ztunnel exposition of `count` TCP series with Istio's full label set, each value `value`. */
function istioExposition(count: number, value: number): string {
  const lines = ['# TYPE istio_tcp_sent_bytes_total counter'];
  for (let i = 0; i < count; i++) {
    const ns = `ns-${i % 10}`;
    const src = `app-${i % 100}`;
    const dst = `svc-${i}`;
    lines.push(
      `istio_tcp_sent_bytes_total{reporter="source",source_workload="${src}-v1",source_canonical_service="${src}",source_canonical_revision="v1",` +
        `source_workload_namespace="${ns}",source_principal="spiffe://cluster.local/ns/${ns}/sa/${src}",source_app="${src}",source_version="v1",` +
        `source_cluster="Kubernetes",destination_service="${dst}.${ns}.svc.cluster.local",destination_service_namespace="${ns}",` +
        `destination_service_name="${dst}",destination_workload="${dst}-v1",destination_canonical_service="${dst}",destination_canonical_revision="v1",` +
        `destination_workload_namespace="${ns}",destination_principal="spiffe://cluster.local/ns/${ns}/sa/${dst}",destination_app="${dst}",` +
        `destination_version="v1",destination_cluster="Kubernetes",request_protocol="tcp",response_flags="-",connection_security_policy="mutual_tls"} ${value}`,
    );
  }
  return lines.join('\n');
}

describe('the embedded store’s memory', () => {
  it('costs a bounded, measured amount per series', async () => {
    const SERIES = 10_000;
    const texts = [1, 2, 3].map((v) => istioExposition(SERIES, v * 1000));
    let scrape = 0;
    let now = 1_700_000_000_000;
    const t = new EmbeddedTelemetry({
      targets: () => [{ name: 'ztunnel', url: 'http://ztunnel.invalid/metrics' }],
      fetch: async () => new Response(texts[scrape++ % texts.length]),
      now: () => now,
    });
    const before = memory();
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      await t.scrapeOnce();
      now += 5_000;
    }
    const scrapeMs = (performance.now() - started) / 3;
    const after = memory();
    const stats = t.stats();
    const perSeries = (after - before) / SERIES;
    const ringBytes = stats.samplesPerSeries * 8;
    console.log(
      `${SERIES} Istio TCP series: ${(perSeries / 1024).toFixed(2)} KiB each after 3 scrapes (labels, keys, a 16-sample ring); ` +
        `a full ring adds ${(ringBytes / 1024).toFixed(2)} KiB; mean scrape+ingest ${scrapeMs.toFixed(0)} ms; ` +
        `bound of the sample rings at ${stats.maxSeries} series: ${(stats.maxSampleBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(stats).toMatchObject({ series: SERIES + 3, samplesPerSeries: 721, maxSeries: 10_000, droppedSeries: 0 });
    expect(stats.maxSampleBytes).toBe((10_003 * 721 + 721) * 8);
    // The series' text as scraped (≈ 1 KB here, kept to recognise it cheaply), its label values, and a small ring;
    // label names are shared, and nothing of the scrape bodies stays.
    expect(perSeries).toBeLessThan(3.5 * 1024);
    const rates = await t.instant(rateQuery('istio_tcp_sent_bytes_total', { windowSeconds: 15 }), { at: now - 5_000 });
    expect(rates.samples[0]?.value).toBeCloseTo((SERIES * 2000 * (15 / 10)) / 15, 3);
  });

  it('holds no more than the bound once every ring is full', async () => {
    let now = 0;
    let n = 0;
    const t = new EmbeddedTelemetry({
      targets: () => [{ name: 'z', url: 'http://z.invalid/metrics' }],
      fetch: async () => new Response(Array.from({ length: 250 }, (_, i) => `m{i="${i}"} ${n++}`).join('\n')),
      now: () => now,
      retentionMs: 60_000,
      maxSeries: 200,
    });
    for (let i = 0; i < 40; i++) {
      await t.scrapeOnce();
      now += 5_000;
    }
    const stats = t.stats();
    expect(stats).toMatchObject({ series: 203, samplesPerSeries: 13 });
    expect(stats.sampleBytes).toBe(stats.maxSampleBytes);
    expect((await t.targets())[0]?.droppedSeries).toBe(50);
  });
});
