import { describe, expect, it } from 'vitest';
import { labelSetOf } from './label-set';
import { SeriesStore } from './series-store';

describe('SeriesStore', () => {
  it('keeps the last samplesPerSeries values of a series, in a ring', () => {
    const store = new SeriesStore({ samplesPerSeries: 5, maxSeries: 10 });
    const timeline = store.newTimeline();
    const series = store.add('m', labelSetOf({}), timeline) ?? expect.unreachable();
    for (let i = 0; i < 12; i++) series.write(timeline.advance(1000 * i), i);
    // seqs 0…11 written; only 7…11 held.
    expect(timeline.firstSeq).toBe(7);
    expect([6, 7, 8, 9, 10, 11].map((seq) => series.valueAt(seq))).toEqual([Number.NaN, 7, 8, 9, 10, 11]);
    expect(series.byteLength).toBe(5 * 8);
  });

  it('starts rings small and grows them to the bound', () => {
    const store = new SeriesStore({ samplesPerSeries: 721, maxSeries: 10 });
    const timeline = store.newTimeline();
    const series = store.add('m', labelSetOf({}), timeline) ?? expect.unreachable();
    series.write(timeline.advance(0), 1);
    expect(series.byteLength).toBe(16 * 8);
    for (let i = 1; i < 2000; i++) series.write(timeline.advance(i * 5000), i);
    expect(series.byteLength).toBe(721 * 8);
    expect(series.valueAt(1999)).toBe(1999);
    expect(series.valueAt(1999 - 720)).toBe(1999 - 720);
    expect(series.valueAt(1999 - 721)).toBeNaN();
  });

  it('marks scrapes a series missed as absent, also across growth', () => {
    const store = new SeriesStore({ samplesPerSeries: 100, maxSeries: 10 });
    const timeline = store.newTimeline();
    const series = store.add('m', labelSetOf({}), timeline) ?? expect.unreachable();
    series.write(timeline.advance(0), 1);
    for (let i = 1; i < 40; i++) timeline.advance(i); // absent for 39 scrapes
    series.write(timeline.advance(40), 2);
    expect(series.valueAt(0)).toBe(1);
    expect(series.valueAt(20)).toBeNaN();
    expect(series.valueAt(40)).toBe(2);
  });

  it('refuses new series past maxSeries and counts them; removal makes room', () => {
    const store = new SeriesStore({ samplesPerSeries: 4, maxSeries: 2 });
    const timeline = store.newTimeline();
    const a = store.add('m', labelSetOf({ i: 'a' }), timeline);
    store.add('m', labelSetOf({ i: 'b' }), timeline);
    expect(store.add('m', labelSetOf({ i: 'c' }), timeline)).toBeUndefined();
    expect(store.add('up', labelSetOf({}), timeline, true)).toBeDefined(); // the scraper's own series do not count
    expect(store.droppedSeries).toBe(1);
    store.remove(a ?? expect.unreachable());
    expect(store.add('m', labelSetOf({ i: 'c' }), timeline)).toBeDefined();
    expect(store.stats(1)).toMatchObject({ series: 3, maxSeries: 2, droppedSeries: 1, samplesPerSeries: 4 });
  });

  it('finds the scrapes inside a window by time', () => {
    const store = new SeriesStore({ samplesPerSeries: 10, maxSeries: 1 });
    const timeline = store.newTimeline();
    for (let i = 0; i < 25; i++) timeline.advance(i * 5000);
    // held: seqs 15…24 at 75…120 s
    expect(timeline.firstAfter(100_000)).toBe(21);
    expect(timeline.lastAtOrBefore(100_000)).toBe(20);
    expect(timeline.firstAfter(0)).toBe(15);
    expect(timeline.lastAtOrBefore(10)).toBe(14);
    // time never goes back: a clock step backwards still gives ascending times.
    timeline.advance(1000);
    expect(timeline.lastTime).toBe(120_001);
  });
});
