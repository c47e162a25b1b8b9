/**
 * What every benchmark shares: the shape a `*.bench.ts` exports, sample summaries, and targets.
 * A benchmark measures and reports; whether a target was met is recorded, never assumed.
 */

export interface Benchmark {
  /** Also the results file: bench/results/<name>.json. */
  readonly name: string;
  readonly description: string;
  run(log: (line: string) => void): Promise<BenchmarkReport>;
}

export interface BenchmarkReport {
  /** The workload as run (sizes, counts, sample numbers). */
  config: Record<string, unknown>;
  results: Record<string, unknown>;
  targets: TargetCheck[];
}

export interface TargetCheck {
  metric: string;
  /** e.g. "<= 500 ms". */
  target: string;
  measured: number;
  unit: string;
  met: boolean;
}

/** Milliseconds (or whatever the samples are), rounded to 0.1 for reading. */
export interface SampleSummary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted samples: with 20 samples, p99 is the largest. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    mean: round(mean),
  };
}

/** A target of the form "measured ≤ limit". */
export function atMost(metric: string, measured: number, limit: number, unit: string): TargetCheck {
  return { metric, target: `<= ${limit} ${unit}`, measured, unit, met: Number.isFinite(measured) && measured <= limit };
}
