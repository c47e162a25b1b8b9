'use client';

import { useQueries } from '@tanstack/react-query';
import { api } from '../api/client';
import type { RouterInputs } from '../api/types';
import { type BackendMetrics, joinBackendMetrics } from './backend-metrics';

export type MetricsWindow = NonNullable<RouterInputs['telemetry']['versionSeries']['window']>;

const WINDOWS: readonly [MetricsWindow, number][] = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
];

/** The shortest telemetry window that covers `ms` (a run's length), at most the hour the scraper keeps. */
export function windowCovering(ms: number): MetricsWindow {
  return WINDOWS.find(([, length]) => length >= ms)?.[0] ?? '1h';
}

export interface BackendMetricsState {
  metrics: BackendMetrics | undefined;
  /** null: the BFF has no telemetry back end. */
  telemetryBackend: string | null | undefined;
  error: unknown;
}

/**
 * Measured traffic of each backend Service, refreshed every `refreshMs` (telemetry.versionSeries per backend). No
 * placeholder data: queries are matched to backends by position, and a list that changed would mislabel the old answers.
 */
export function useBackendMetrics(namespace: string, backends: readonly string[], window: MetricsWindow, refreshMs: number | false) {
  return useQueries({
    queries: backends.map((name) => {
      const input = { kind: 'service' as const, namespace, name, window };
      return {
        queryKey: ['telemetry.versionSeries', input],
        queryFn: () => api.telemetry.versionSeries.query(input),
        refetchInterval: refreshMs,
      };
    }),
    combine: (results): BackendMetricsState => {
      const ready = results.length > 0 && results.every((r) => r.data !== undefined);
      return {
        metrics: ready ? joinBackendMetrics(backends.map((name, i) => ({ name, series: results[i]?.data }))) : undefined,
        telemetryBackend: results.find((r) => r.data)?.data?.telemetryBackend,
        error: results.find((r) => r.error)?.error ?? null,
      };
    },
  });
}
