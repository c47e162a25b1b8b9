/**
 * Measuring several paths to the same server in one run: rounds interleave the paths, so drift
 * on the shared machine touches all of them alike; each figure is the median over rounds.
 */
import net from 'node:net';
import { answerSize, runOpenLoop } from './open-loop';
import { type BenchProcess, cpuSeconds, runQueueWaitSeconds } from './processes';
import { runWrk } from './wrk';

export interface Path {
  name: string;
  host: string;
  port: number;
  /** The proxies on the path, whose CPU is read from /proc. */
  proxies: BenchProcess[];
}

export interface WrkPhase {
  connections: number;
  seconds: number;
  rounds: number;
  close?: boolean;
}

export interface FixedRatePhase {
  ratePerSecond: number;
  seconds: number;
  rounds: number;
  connections: number;
}

export interface LatencyRounds {
  p50: number[];
  p90: number[];
  p99: number[];
  max: number[];
  /** Requests sent and not answered within 5 s of the phase's end. */
  incomplete: number;
  sendLagMs: number[];
}

export interface CpuPhase {
  seconds: number;
  wallSeconds: number;
  requests: number;
  /** Summed over the path's proxies: time their event loops were runnable but waiting for a core. */
  runQueueWaitSeconds: number;
}

export const round2 = (value: number) => Math.round(value * 100) / 100;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Retries one request until the path answers 200 (listeners and routes come up asynchronously). */
export async function untilAnswering(path: Path, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await answerSize(path.host, path.port);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${path.name} never answered: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const url = (path: Path) => `http://${path.host}:${path.port}/`;
const byPath = <T>(paths: readonly Path[], make: () => T) => Object.fromEntries(paths.map((p) => [p.name, make()])) as Record<string, T>;

/** JIT, TLS sessions and pools warmed before anything counts. */
export async function warmUp(paths: readonly Path[]): Promise<void> {
  for (const path of paths) await runWrk(url(path), { connections: 8, seconds: 2 });
}

/** Requests per second with wrk, per path: every round's figure and the errors wrk counted. */
export async function measureWrk(paths: readonly Path[], phase: WrkPhase) {
  const rounds = byPath(paths, (): number[] => []);
  const errors = byPath(paths, () => 0);
  for (let round = 0; round < phase.rounds; round++) {
    for (const path of paths) {
      const result = await runWrk(url(path), phase);
      (rounds[path.name] as number[]).push(Math.round(result.requestsPerSecond));
      errors[path.name] = (errors[path.name] ?? 0) + result.errors;
    }
  }
  const medians = Object.fromEntries(paths.map((p) => [p.name, median(rounds[p.name] as number[])])) as Record<string, number>;
  return { rounds, median: medians, errors };
}

/** Open-loop latency at a fixed rate per path, and the CPU its proxies used meanwhile. */
export async function measureFixedRate(paths: readonly Path[], phase: FixedRatePhase) {
  const rounds = byPath(paths, (): LatencyRounds => ({ p50: [], p90: [], p99: [], max: [], incomplete: 0, sendLagMs: [] }));
  const cpu = byPath(paths, (): CpuPhase => ({ seconds: 0, wallSeconds: 0, requests: 0, runQueueWaitSeconds: 0 }));
  const cpuOf = (proxies: readonly BenchProcess[]) => proxies.reduce((sum, p) => sum + cpuSeconds(p.pid), 0);
  const waitOf = (proxies: readonly BenchProcess[]) => proxies.reduce((sum, p) => sum + runQueueWaitSeconds(p.pid), 0);
  for (let round = 0; round < phase.rounds; round++) {
    for (const path of paths) {
      const before = cpuOf(path.proxies);
      const waitBefore = waitOf(path.proxies);
      const started = performance.now();
      const result = await runOpenLoop({ host: path.host, port: path.port, ...phase });
      const c = cpu[path.name] as CpuPhase;
      c.seconds += cpuOf(path.proxies) - before;
      c.runQueueWaitSeconds += waitOf(path.proxies) - waitBefore;
      c.wallSeconds += (performance.now() - started) / 1000;
      c.requests += result.completed;
      const l = rounds[path.name] as LatencyRounds;
      l.p50.push(result.histogram.percentileMicros(50) / 1000);
      l.p90.push(result.histogram.percentileMicros(90) / 1000);
      l.p99.push(result.histogram.percentileMicros(99) / 1000);
      l.max.push(result.histogram.max / 1000);
      l.incomplete += result.sent - result.completed;
      l.sendLagMs.push(result.maxSendLagMs);
    }
  }
  const medians = Object.fromEntries(
    paths.map((p) => {
      const l = rounds[p.name] as LatencyRounds;
      return [p.name, { p50: round2(median(l.p50)), p90: round2(median(l.p90)), p99: round2(median(l.p99)), max: round2(median(l.max)) }];
    }),
  ) as Record<string, { p50: number; p90: number; p99: number; max: number }>;
  const direct = medians.direct;
  const addedOverDirect = Object.fromEntries(
    paths
      .filter((p) => p.name !== 'direct')
      .map((p) => {
        const m = medians[p.name] as { p50: number; p90: number; p99: number };
        return [
          p.name,
          {
            p50: round2(m.p50 - (direct?.p50 ?? Number.NaN)),
            p90: round2(m.p90 - (direct?.p90 ?? Number.NaN)),
            p99: round2(m.p99 - (direct?.p99 ?? Number.NaN)),
          },
        ];
      }),
  ) as Record<string, { p50: number; p90: number; p99: number }>;
  return { rounds, medians, addedOverDirect, cpu };
}

/** Cores used per 1,000 req/s actually served: CPU seconds over wall seconds, scaled by the rate. */
export function coresPer1000(phase: CpuPhase): number {
  const cores = phase.seconds / phase.wallSeconds;
  const rate = phase.requests / phase.wallSeconds;
  return round2((cores / rate) * 1000);
}

/** Microseconds per request served that the path's proxies spent waiting for a core (summed). */
export function runQueueWaitMicrosPerRequest(phase: CpuPhase): number {
  return Math.round((phase.runQueueWaitSeconds / phase.requests) * 1e6);
}

/** Cores used on average over the phase. */
export function cores(phase: CpuPhase): number {
  return round2(phase.seconds / phase.wallSeconds);
}
