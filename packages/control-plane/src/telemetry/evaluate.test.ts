import { describe, expect, it } from 'vitest';
import { evaluateInstant, evaluateRange } from './evaluate';
import { labelSetOf } from './label-set';
import { equal, matching, notMatching, quantileQuery, rateQuery, ratioQuery, sumQuery } from './query';
import { SeriesStore, type Timeline } from './series-store';

/** A store with one target scraped every 5 s at 0…`scrapes-1`, and series whose values are f(seq). */
function storeWith(
  scrapes: number,
  series: { name: string; labels: Record<string, string>; value: (seq: number) => number | undefined }[],
) {
  const store = new SeriesStore({ samplesPerSeries: 721, maxSeries: 1000 });
  const timeline: Timeline = store.newTimeline();
  const all = series.map((s) => ({ ...s, series: store.add(s.name, labelSetOf(s.labels), timeline) ?? expect.unreachable() }));
  for (let seq = 0; seq < scrapes; seq++) {
    timeline.advance(seq * 5000);
    for (const s of all) {
      const v = s.value(seq);
      if (v !== undefined) s.series.write(seq, v);
    }
  }
  return store;
}

const requests = (labels: Record<string, string>, perScrape: number) => ({
  name: 'istio_requests_total',
  labels: { reporter: 'waypoint', ...labels },
  value: (seq: number) => seq * perScrape,
});

describe('evaluateInstant', () => {
  it('sums rates by label set', () => {
    const store = storeWith(25, [
      requests({ source_workload: 'a', response_code: '200' }, 10), // 2/s
      requests({ source_workload: 'a', response_code: '503' }, 1), // 0.2/s
      requests({ source_workload: 'b', response_code: '200' }, 5), // 1/s
      { name: 'istio_requests_total', labels: { reporter: 'source', source_workload: 'a' }, value: (seq) => seq * 100 },
    ]);
    const q = rateQuery('istio_requests_total', { windowSeconds: 60, matchers: [equal('reporter', 'waypoint')], by: ['source_workload'] });
    const out = evaluateInstant(store, q, 120_000);
    expect(out.map((s) => [{ ...s.labels }, s.value])).toEqual([
      [{ source_workload: 'a' }, expect.closeTo(2.2, 9)],
      [{ source_workload: 'b' }, expect.closeTo(1, 9)],
    ]);
    // No `by`: one sum; a regex matcher is anchored.
    const total = evaluateInstant(
      store,
      rateQuery('istio_requests_total', { windowSeconds: 60, matchers: [matching('reporter', 'way')] }),
      120_000,
    );
    expect(total).toEqual([]);
  });

  it('gives the rate through a counter reset (proxy restart)', () => {
    // 10 per scrape, restarting from 0 at seq 15.
    const store = storeWith(25, [{ name: 'c', labels: {}, value: (seq) => (seq < 15 ? seq * 10 : (seq - 15) * 10) }]);
    const [sample] = evaluateInstant(store, rateQuery('c', { windowSeconds: 60 }), 120_000);
    // Window (60, 120]: seqs 13…24 hold 130, 140, then 0, 10, …, 90 after the restart.
    // Increase: 90 - 130 + 140 (the value before the reset) = 100 over the 55 s sampled, extrapolated to the 60 s window.
    expect(sample?.value).toBeCloseTo((100 * (60 / 55)) / 60, 9);
  });

  it('answers a ratio: 0 when a group only failed, NaN when it had no traffic', () => {
    const store = storeWith(25, [
      requests({ destination_workload: 'ok', response_code: '200' }, 9),
      requests({ destination_workload: 'ok', response_code: '500' }, 1),
      requests({ destination_workload: 'broken', response_code: '503' }, 4),
      requests({ destination_workload: 'idle', response_code: '200' }, 0),
    ]);
    const q = ratioQuery('istio_requests_total', [notMatching('response_code', '5.*')], {
      windowSeconds: 60,
      by: ['destination_workload'],
    });
    const out = Object.fromEntries(evaluateInstant(store, q, 120_000).map((s) => [s.labels.destination_workload, s.value]));
    expect(out.ok).toBeCloseTo(0.9, 12);
    expect(out.broken).toBe(0);
    expect(out.idle).toBeNaN();
  });

  it('computes a quantile from summed bucket rates', () => {
    // Two pods' histograms of the same destination: their buckets add up before the quantile.
    const bucket = (pod: string, le: string, perScrape: number) => ({
      name: 'd_bucket',
      labels: { pod, destination_workload: 'reviews', le },
      value: (seq: number) => seq * perScrape,
    });
    const store = storeWith(25, [
      bucket('a', '1', 6),
      bucket('a', '5', 400),
      bucket('a', '10', 500),
      bucket('a', '+Inf', 510),
      bucket('b', '1', 6),
      bucket('b', '5', 430),
      bucket('b', '10', 510),
      bucket('b', '+Inf', 520),
    ]);
    const q = (quantile: number) => quantileQuery(quantile, 'd', { windowSeconds: 60, by: ['destination_workload'] });
    // Rates are proportional to the per-scrape increments: 12, 830, 1010, 1030 (the hand case of histogram-quantile.test.ts).
    const [p50] = evaluateInstant(store, q(0.5), 120_000);
    expect({ ...p50?.labels }).toEqual({ destination_workload: 'reviews' });
    expect(p50?.value).toBeCloseTo(1 + (4 * 503) / 818, 9);
    expect(evaluateInstant(store, q(0.99), 120_000)[0]?.value).toBe(10);
  });

  it('reads gauges as their latest value, and not at all once stale', () => {
    const store = storeWith(25, [
      { name: 'up', labels: { instance: 'a' }, value: () => 1 },
      { name: 'up', labels: { instance: 'b' }, value: (seq) => (seq < 24 ? 1 : undefined) }, // gone from the last scrape
    ]);
    expect(evaluateInstant(store, sumQuery('up', { by: ['instance'] }), 120_000).map((s) => s.labels.instance)).toEqual(['a']);
    // Earlier, both were there; much later, nothing is (5-minute lookback).
    expect(evaluateInstant(store, sumQuery('up'), 100_000)[0]?.value).toBe(2);
    expect(evaluateInstant(store, sumQuery('up'), 120_000 + 301_000)).toEqual([]);
  });
});

describe('evaluateRange', () => {
  it('aligns each group’s values to the steps, null where it had none', () => {
    const store = storeWith(25, [
      requests({ source_workload: 'a' }, 10),
      { ...requests({ source_workload: 'late' }, 10), value: (seq: number) => (seq >= 18 ? seq * 10 : undefined) },
    ]);
    const q = rateQuery('istio_requests_total', { windowSeconds: 30, by: ['source_workload'] });
    const matrix = evaluateRange(store, q, { start: 60_000, end: 120_000, stepMs: 30_000 });
    expect(matrix.timestamps).toEqual([60_000, 90_000, 120_000]);
    expect(matrix.series.map((s) => s.labels.source_workload)).toEqual(['a', 'late']);
    expect(matrix.series[0]?.values.map((v) => v?.toFixed(6))).toEqual(['2.000000', '2.000000', '2.000000']);
    expect(matrix.series[1]?.values[0]).toBeNull();
    expect(matrix.series[1]?.values[2]).toBeCloseTo(2, 9);
  });

  it('refuses ranges Prometheus would refuse', () => {
    const store = storeWith(1, []);
    const q = rateQuery('m', { windowSeconds: 30 });
    expect(() => evaluateRange(store, q, { start: 0, end: 10_000_000, stepMs: 1 })).toThrow(/at most 11000/);
    expect(() => evaluateRange(store, q, { start: 10, end: 0, stepMs: 1 })).toThrow(/invalid time range/);
  });
});
