import {
  equal,
  ISTIO_METRICS,
  type LabelMatcher,
  matching,
  quantileQuery,
  type RangeMatrix,
  REPORTER,
  rateQuery,
  ratioQuery,
  type TelemetrySource,
} from '@ambit/control-plane/telemetry';
import { dnsLabel } from '@ambit/shared';
import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';

/** The console's time windows (Kiali's 1m…1h), in seconds. */
const WINDOW_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600 } as const;
/** Points per chart: enough to see a shape, few enough to stay cheap. */
const POINTS = 60;
/** The embedded scraper's interval; a step below it repeats samples. */
const MIN_STEP_SECONDS = 5;

const versionSeriesInput = z.strictObject({
  /** `workload`: `destination_workload` (a Deployment's name); `service`: `destination_service_name`. */
  kind: z.enum(['workload', 'service']),
  namespace: dnsLabel,
  name: z.string().min(1).max(253),
  window: z.enum(['1m', '5m', '15m', '30m', '1h']).default('5m'),
});

export interface VersionSeries {
  version: string;
  /** Requests per second. */
  requestRate: (number | null)[];
  /** Share of 5xx responses, in percent; null where there was no traffic. */
  errorPercent: (number | null)[];
  /** 99th percentile of request duration, in milliseconds. */
  p99Ms: (number | null)[];
}

/** PromQL matchers for traffic into the target, as the waypoint (the L7 reporter in ambient) reports it. */
function targetMatchers(kind: 'workload' | 'service', namespace: string, name: string): LabelMatcher[] {
  const reporter = equal('reporter', REPORTER.waypoint);
  return kind === 'workload'
    ? [reporter, equal('destination_workload_namespace', namespace), equal('destination_workload', name)]
    : [reporter, equal('destination_service_namespace', namespace), equal('destination_service_name', name)];
}

const finite = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

/** version → values, one per timestamp; `scale` turns fractions into percent. */
function byVersion(matrix: RangeMatrix, scale = 1): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const series of matrix.series) {
    out.set(
      series.labels.destination_version ?? 'unknown',
      series.values.map((v) => {
        const value = finite(v);
        return value === null ? null : value * scale;
      }),
    );
  }
  return out;
}

async function versionSeries(telemetry: TelemetrySource, input: z.infer<typeof versionSeriesInput>) {
  const windowSeconds = WINDOW_SECONDS[input.window];
  const stepSeconds = Math.max(MIN_STEP_SECONDS, Math.ceil(windowSeconds / POINTS));
  // A rate needs at least two scrapes inside its window.
  const rateWindowSeconds = Math.max(30, 2 * stepSeconds);
  const end = Math.floor(Date.now() / 1000) * 1000;
  const range = { start: end - windowSeconds * 1000, end, stepMs: stepSeconds * 1000 };
  const options = {
    windowSeconds: rateWindowSeconds,
    matchers: targetMatchers(input.kind, input.namespace, input.name),
    by: ['destination_version'],
  };
  const [rate, errors, p99] = await Promise.all([
    telemetry.range(rateQuery(ISTIO_METRICS.requests, options), range),
    telemetry.range(ratioQuery(ISTIO_METRICS.requests, [matching('response_code', '5.*')], options), range),
    telemetry.range(quantileQuery(0.99, ISTIO_METRICS.requestDuration, options), range),
  ]);
  const rates = byVersion(rate);
  const errorShares = byVersion(errors, 100);
  const latencies = byVersion(p99);
  const empty = rate.timestamps.map(() => null);
  const versions = [...new Set([...rates.keys(), ...errorShares.keys(), ...latencies.keys()])].sort();
  return {
    timestamps: [...rate.timestamps],
    stepSeconds,
    rateWindowSeconds,
    versions: versions.map(
      (version): VersionSeries => ({
        version,
        requestRate: rates.get(version) ?? empty,
        errorPercent: errorShares.get(version) ?? empty,
        p99Ms: latencies.get(version) ?? empty,
      }),
    ),
  };
}

/**
 * Per-version request rate, error percentage and p99 latency over a window, for the workload and
 * service pages' charts. Each series is one range query of the TelemetrySource (PromQL-shaped,
 * as Kiali asks Prometheus), so any back end answers it.
 */
export const telemetryRouter = router({
  versionSeries: viewerProcedure.input(versionSeriesInput).query(async ({ ctx, input }) => {
    const telemetry = ctx.services.telemetry;
    if (!telemetry)
      return { telemetryBackend: null, timestamps: [], stepSeconds: 0, rateWindowSeconds: 0, versions: [] as VersionSeries[] };
    return { telemetryBackend: telemetry.backend, ...(await versionSeries(telemetry, input)) };
  }),
});
