/**
 * Istio's metric names, and the queries built from them that the canary analysis and the
 * console's charts ask, in the form Flagger and Kiali use (with the waypoint as the L7 reporter,
 * as in ambient mode).
 */
import {
  equal,
  matching,
  notMatching,
  type QuantileQuery,
  quantileQuery,
  type RateQuery,
  type RatioQuery,
  rateQuery,
  ratioQuery,
} from './query';

export const ISTIO_METRICS = {
  requests: 'istio_requests_total',
  requestDuration: 'istio_request_duration_milliseconds',
  tcpSentBytes: 'istio_tcp_sent_bytes_total',
  tcpReceivedBytes: 'istio_tcp_received_bytes_total',
  tcpOpened: 'istio_tcp_connections_opened_total',
  tcpClosed: 'istio_tcp_connections_closed_total',
} as const;

/** `reporter` values: ztunnel reports `source` and `destination`, a waypoint reports `waypoint`. */
export const REPORTER = { source: 'source', destination: 'destination', waypoint: 'waypoint' } as const;

export interface WorkloadTarget {
  namespace: string;
  /** A regular expression over `destination_workload` (Flagger's `{{ target }}` is `name` or `name-canary`). */
  workload: string;
  windowSeconds: number;
}

function destination(target: WorkloadTarget) {
  return [
    equal('reporter', REPORTER.waypoint),
    equal('destination_workload_namespace', target.namespace),
    matching('destination_workload', target.workload),
  ];
}

/**
 * Flagger's `request-success-rate`, as a fraction (× 100 for Flagger's percent):
 * `sum(rate(istio_requests_total{reporter="waypoint",destination_workload_namespace="<ns>",destination_workload=~"<w>",response_code!~"5.*"}[<w>]))
 *  / sum(rate(istio_requests_total{reporter="waypoint",destination_workload_namespace="<ns>",destination_workload=~"<w>"}[<w>]))`.
 * NaN (no traffic) must count as a failed check, as Flagger does.
 */
export function requestSuccessRate(target: WorkloadTarget): RatioQuery {
  return ratioQuery(ISTIO_METRICS.requests, [notMatching('response_code', '5.*')], {
    windowSeconds: target.windowSeconds,
    matchers: destination(target),
  });
}

/**
 * Flagger's `request-duration` (p99 by default), in milliseconds:
 * `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="waypoint",…}[<w>])) by (le))`.
 */
export function requestDuration(target: WorkloadTarget, quantile = 0.99): QuantileQuery {
  return quantileQuery(quantile, ISTIO_METRICS.requestDuration, { windowSeconds: target.windowSeconds, matchers: destination(target) });
}

/**
 * Requests per second into a workload, split by version and response code, for the per-version
 * charts: `sum by (destination_version, response_code) (rate(istio_requests_total{reporter="waypoint",…}[<w>]))`.
 */
export function requestsByVersion(target: WorkloadTarget): RateQuery {
  return rateQuery(ISTIO_METRICS.requests, {
    windowSeconds: target.windowSeconds,
    matchers: destination(target),
    by: ['destination_version', 'response_code'],
  });
}
