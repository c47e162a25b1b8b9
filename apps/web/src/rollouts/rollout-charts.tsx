'use client';

import { errorMessage } from '../api/errors';
import { backendLines } from './backend-metrics';
import { isActivePhase } from './phase-badge';
import { checkValues, DURATION, metricThresholds, SUCCESS_RATE, setWeights } from './rollout-history';
import type { RolloutDetail } from './rollout-types';
import styles from './rollouts.module.css';
import { type ThresholdLine, TimeSeriesChart } from './time-series-chart';
import { useBackendMetrics, windowCovering } from './use-backend-metrics';

const METRICS_REFRESH_MS = 5_000;

function thresholdLines(label: string, value: number | null, unit: string): ThresholdLine[] {
  return value === null ? [] : [{ label: `${label} ${value}${unit}`, value }];
}

/**
 * The run over time: the weight the controller set against the share measured per backend, and success rate
 * and p99 per backend (telemetry) beside the canary analysis' own values, with the Canary's threshold lines.
 */
export function RolloutCharts({ rollout }: { rollout: RolloutDetail }) {
  const { successRateMin, durationMaxMs } = metricThresholds(rollout.canary);
  const set = setWeights(rollout.history);
  const started = set.timestamps[0];
  const window = windowCovering(started === undefined ? 0 : Date.now() - started);
  const backends = rollout.route?.backends.map((b) => b.name) ?? [];
  const measured = useBackendMetrics(rollout.namespace, backends, window, isActivePhase(rollout.phase) ? METRICS_REFRESH_MS : false);
  // One line per route backend from the start, first in every chart, so each backend keeps its colour throughout.
  const perBackend = (measure: 'share' | 'successRate' | 'p99Ms') => {
    const lines = backendLines(measured.metrics, measure, ' measured');
    return backends.map(
      (name) => lines.find((l) => l.name === `${name} measured`) ?? { name: `${name} measured`, timestamps: [], values: [] },
    );
  };

  return (
    <>
      {measured.telemetryBackend === null ? (
        <p className="notice" role="note">
          No telemetry back end is connected: the charts show the controller&apos;s own analysis only.
        </p>
      ) : null}
      {backends.length > 0 && !measured.metrics && !measured.error && measured.telemetryBackend !== null ? (
        <p className="muted" role="status">
          Loading the per-version measurements…
        </p>
      ) : null}
      {measured.error && !measured.metrics ? (
        <p className="error" role="alert">
          Could not load the per-version measurements: {errorMessage(measured.error)}
        </p>
      ) : null}
      <div className={styles.charts}>
        <TimeSeriesChart
          title="Canary weight: set and measured"
          series={[...perBackend('share'), { name: 'canary set', timestamps: set.timestamps, values: set.values }]}
          unit="%"
          yMax={100}
          testId="chart-weights"
        />
        <TimeSeriesChart
          title="Success rate per version"
          series={[...perBackend('successRate'), { name: 'canary analysis', ...checkValues(rollout.history, SUCCESS_RATE) }]}
          thresholds={thresholdLines('min', successRateMin, '%')}
          unit="%"
          yMax={100}
          testId="chart-success-rate"
        />
        <TimeSeriesChart
          title="p99 latency per version"
          series={[...perBackend('p99Ms'), { name: 'canary analysis', ...checkValues(rollout.history, DURATION) }]}
          thresholds={thresholdLines('max', durationMaxMs, ' ms')}
          unit=" ms"
          testId="chart-p99"
        />
      </div>
    </>
  );
}
