import type { Canary } from '@ambit/shared';
import { requestDuration, requestSuccessRate } from '../telemetry/istio-metrics';
import type { TelemetrySource } from '../telemetry/source';
import { canaryNames, DEFAULT_METRIC_INTERVAL_SECONDS, goDurationMs } from './canary-model';
import { literalPattern } from './literal-pattern';
import type { RolloutCheck } from './rollout-status';

/**
 * Flagger's built-in metrics, read through the TelemetrySource with the PromQL Flagger's Istio
 * provider uses, the waypoint being the L7 reporter in ambient mode:
 * - request-success-rate: % of non-5xx requests to the canary workload over the metric's interval;
 * - request-duration: p99 in milliseconds.
 * No data (no traffic, NaN) is a failed check, as in Flagger.
 */

type Metric = NonNullable<NonNullable<Canary['spec']['analysis']>['metrics']>[number];

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function judge(metric: Metric, value: number | null, unit: string): RolloutCheck {
  const range = metric.thresholdRange ?? {};
  const bounds = { ...(range.min !== undefined ? { min: range.min } : {}), ...(range.max !== undefined ? { max: range.max } : {}) };
  if (value === null) {
    return {
      name: metric.name,
      kind: 'metric',
      value: null,
      ...bounds,
      passed: false,
      message: `no values found for metric ${metric.name}`,
    };
  }
  if (range.min !== undefined && value < range.min) {
    return {
      name: metric.name,
      kind: 'metric',
      value,
      ...bounds,
      passed: false,
      message: `${metric.name} ${format(value)}${unit} < ${range.min}${unit}`,
    };
  }
  if (range.max !== undefined && value > range.max) {
    return {
      name: metric.name,
      kind: 'metric',
      value,
      ...bounds,
      passed: false,
      message: `${metric.name} ${format(value)}${unit} > ${range.max}${unit}`,
    };
  }
  return { name: metric.name, kind: 'metric', value, ...bounds, passed: true, message: `${metric.name} ${format(value)}${unit}` };
}

function windowSeconds(metric: Metric): number {
  const ms = metric.interval ? goDurationMs(metric.interval) : undefined;
  return Math.max(1, Math.round((ms ?? DEFAULT_METRIC_INTERVAL_SECONDS * 1000) / 1000));
}

function firstFinite(samples: readonly { value: number }[]): number | null {
  const value = samples[0]?.value;
  return value !== undefined && Number.isFinite(value) ? value : null;
}

export async function checkMetrics(canary: Canary, telemetry: TelemetrySource | undefined, now: number): Promise<RolloutCheck[]> {
  const metrics = canary.spec.analysis?.metrics ?? [];
  const target = {
    namespace: canary.metadata.namespace ?? 'default',
    workload: literalPattern(canaryNames(canary).target),
  };
  return Promise.all(
    metrics.map(async (metric): Promise<RolloutCheck> => {
      const builtIn = metric.name === 'request-success-rate' || metric.name === 'request-duration';
      if (!builtIn || metric.query !== undefined || metric.templateRef !== undefined) {
        return {
          name: metric.name,
          kind: 'metric',
          value: null,
          passed: false,
          message: `metric ${metric.name}: only the built-in request-success-rate and request-duration are supported`,
        };
      }
      if (!telemetry) return judge(metric, null, '');
      const query = { ...target, windowSeconds: windowSeconds(metric) };
      try {
        if (metric.name === 'request-success-rate') {
          const result = await telemetry.instant(requestSuccessRate(query), { at: now });
          const ratio = firstFinite(result.samples);
          return judge(metric, ratio === null ? null : ratio * 100, '%');
        }
        const result = await telemetry.instant(requestDuration(query), { at: now });
        return judge(metric, firstFinite(result.samples), 'ms');
      } catch (error) {
        return {
          name: metric.name,
          kind: 'metric',
          value: null,
          passed: false,
          message: `metric ${metric.name} query failed: ${(error as Error).message}`,
        };
      }
    }),
  );
}
