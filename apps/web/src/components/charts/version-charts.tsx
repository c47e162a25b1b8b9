'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { RouterInputs } from '../../api/types';
import { QueryState } from '../query-state';
import styles from './charts.module.css';
import { LineChart } from './line-chart';

type ChartWindow = NonNullable<RouterInputs['telemetry']['versionSeries']['window']>;
const WINDOWS: readonly ChartWindow[] = ['1m', '5m', '15m', '30m', '1h'];
/** As often as the embedded scraper has something new to say, give or take. */
const REFRESH_MS = 10_000;

interface VersionChartsProps {
  /** `workload`: the telemetry workload name (a Deployment's); `service`: the Service's name. */
  kind: 'workload' | 'service';
  namespace: string;
  name: string;
}

/** Request rate, error % and p99 latency per version over a chosen window, refreshed live. */
export function VersionCharts({ kind, namespace, name }: VersionChartsProps) {
  const [window, setWindow] = useState<ChartWindow>('5m');
  const input = { kind, namespace, name, window };
  const series = useQuery({
    queryKey: ['telemetry.versionSeries', input],
    queryFn: () => api.telemetry.versionSeries.query(input),
    refetchInterval: REFRESH_MS,
    placeholderData: (previous) => previous,
  });
  return (
    <section aria-label="Traffic by version" data-testid="version-charts">
      <h2>Traffic by version</h2>
      <div className={styles.toolbar}>
        <label>
          Chart window{' '}
          <select value={window} onChange={(e) => setWindow(e.target.value as ChartWindow)}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
        {series.isFetching ? (
          <span className="muted" role="status" aria-live="polite">
            Refreshing…
          </span>
        ) : null}
      </div>
      <QueryState query={series} label="per-version traffic">
        {(data) =>
          data.telemetryBackend === null ? (
            <p className="notice" role="note">
              No telemetry back end is connected to the control plane: there is no traffic to chart.
            </p>
          ) : data.versions.length === 0 ? (
            <p className="muted" data-testid="version-charts-empty">
              No requests into {namespace}/{name} in the last {window}. Request metrics come from the waypoint: traffic that reaches it
              without one has none.
            </p>
          ) : (
            <div className={styles.grid}>
              <LineChart
                title="Request rate"
                unit=" req/s"
                timestamps={data.timestamps}
                series={data.versions.map((v) => ({ name: v.version, values: v.requestRate }))}
                testId="chart-request-rate"
              />
              <LineChart
                title="Errors (5xx)"
                unit=" %"
                timestamps={data.timestamps}
                series={data.versions.map((v) => ({ name: v.version, values: v.errorPercent }))}
                testId="chart-error-percent"
              />
              <LineChart
                title="p99 latency"
                unit=" ms"
                timestamps={data.timestamps}
                series={data.versions.map((v) => ({ name: v.version, values: v.p99Ms }))}
                testId="chart-p99"
              />
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
