import { describe, expect, it } from 'vitest';
import { RecentGraphs } from './recent-graphs';

function counter() {
  let builds = 0;
  return {
    build: () => Promise.resolve(`graph ${++builds}`),
    get builds() {
      return builds;
    },
  };
}

describe('RecentGraphs', () => {
  it('answers a second viewer within the lifetime with the graph already built', async () => {
    let now = 1_000;
    const graphs = new RecentGraphs<string>({ lifetimeMs: 1_000, maxEntries: 8, now: () => now });
    const snapshot = {};
    const made = counter();
    expect(await graphs.get('1m|workload', snapshot, made.build)).toBe('graph 1');
    now += 999;
    expect(await graphs.get('1m|workload', snapshot, made.build)).toBe('graph 1');
    expect(made.builds).toBe(1);
  });

  it('builds again once the lifetime is over, so a live view shows new traffic', async () => {
    let now = 1_000;
    const graphs = new RecentGraphs<string>({ lifetimeMs: 1_000, maxEntries: 8, now: () => now });
    const snapshot = {};
    const made = counter();
    await graphs.get('1m|workload', snapshot, made.build);
    now += 1_000;
    expect(await graphs.get('1m|workload', snapshot, made.build)).toBe('graph 2');
  });

  it('builds again at once when the registry changed (a new snapshot), even within the lifetime', async () => {
    const graphs = new RecentGraphs<string>({ lifetimeMs: 60_000, maxEntries: 8, now: () => 5 });
    const made = counter();
    await graphs.get('1m|workload', {}, made.build);
    expect(await graphs.get('1m|workload', {}, made.build)).toBe('graph 2');
  });

  it('keeps different requests apart and shares a build in flight', async () => {
    const graphs = new RecentGraphs<string>({ lifetimeMs: 1_000, maxEntries: 8, now: () => 5 });
    const snapshot = {};
    const made = counter();
    const [a, b, c] = await Promise.all([
      graphs.get('1m|workload', snapshot, made.build),
      graphs.get('1m|workload', snapshot, made.build),
      graphs.get('5m|workload', snapshot, made.build),
    ]);
    expect([a, b, c]).toEqual(['graph 1', 'graph 1', 'graph 2']);
  });

  it('forgets a failed build, so the next ask tries again', async () => {
    const graphs = new RecentGraphs<string>({ lifetimeMs: 1_000, maxEntries: 8, now: () => 5 });
    const snapshot = {};
    await expect(graphs.get('1m|workload', snapshot, () => Promise.reject(new Error('telemetry down')))).rejects.toThrow('telemetry down');
    expect(await graphs.get('1m|workload', snapshot, () => Promise.resolve('graph'))).toBe('graph');
  });

  it('keeps at most maxEntries requests, dropping the oldest', async () => {
    const graphs = new RecentGraphs<string>({ lifetimeMs: 1_000, maxEntries: 2, now: () => 5 });
    const snapshot = {};
    const made = counter();
    await graphs.get('a', snapshot, made.build);
    await graphs.get('b', snapshot, made.build);
    await graphs.get('c', snapshot, made.build);
    expect(graphs.size).toBe(2);
    expect(await graphs.get('a', snapshot, made.build)).toBe('graph 4');
  });
});
