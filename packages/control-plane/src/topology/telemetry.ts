/**
 * What the topology reads from telemetry: five instant queries in the style of Kiali's graph
 * queries (the PromQL is in each query's comment), asked of any TelemetrySource at one time.
 * Building the graph from the answers is a pure function (build.ts), so a replay of the last hour
 * is the same build at an earlier `at`.
 */
import {
  equal,
  ISTIO_METRICS,
  matching,
  type RateQuery,
  REPORTER,
  rateQuery,
  type TargetStatus,
  type TelemetrySource,
  type VectorSample,
} from '../telemetry/index';

const SOURCE_LABELS = ['source_workload', 'source_workload_namespace', 'source_canonical_service', 'source_canonical_revision'];
const DESTINATION_LABELS = [
  'destination_service',
  'destination_service_namespace',
  'destination_service_name',
  'destination_workload',
  'destination_workload_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
];
const PEERS = [...SOURCE_LABELS, ...DESTINATION_LABELS];
const SECURITY = ['source_principal', 'destination_principal', 'connection_security_policy'];

export interface TopologyQueries {
  /**
   * `sum by (<peers>, source_principal, destination_principal, connection_security_policy, request_protocol,
   *   response_code, grpc_response_status, response_flags) (rate(istio_requests_total{reporter="waypoint"}[<w>]))`
   */
  requests: RateQuery;
  /** `sum by (le, <peers>) (rate(istio_request_duration_milliseconds_bucket{reporter="waypoint"}[<w>]))` */
  durationBuckets: RateQuery;
  /** `sum by (reporter, <peers>, source_principal, destination_principal, connection_security_policy) (rate(istio_tcp_sent_bytes_total{reporter=~"source|destination"}[<w>]))` */
  tcpSent: RateQuery;
  /** The same over `istio_tcp_received_bytes_total`. */
  tcpReceived: RateQuery;
  /** The same over `istio_tcp_connections_opened_total`. */
  tcpOpened: RateQuery;
}

export function topologyQueries(windowSeconds: number): TopologyQueries {
  const waypoint = [equal('reporter', REPORTER.waypoint)];
  const ztunnel = [matching('reporter', `${REPORTER.source}|${REPORTER.destination}`)];
  const tcp = (metric: string) => rateQuery(metric, { windowSeconds, matchers: ztunnel, by: ['reporter', ...PEERS, ...SECURITY] });
  return {
    requests: rateQuery(ISTIO_METRICS.requests, {
      windowSeconds,
      matchers: waypoint,
      by: [...PEERS, ...SECURITY, 'request_protocol', 'response_code', 'grpc_response_status', 'response_flags'],
    }),
    durationBuckets: rateQuery(`${ISTIO_METRICS.requestDuration}_bucket`, { windowSeconds, matchers: waypoint, by: ['le', ...PEERS] }),
    tcpSent: tcp(ISTIO_METRICS.tcpSentBytes),
    tcpReceived: tcp(ISTIO_METRICS.tcpReceivedBytes),
    tcpOpened: tcp(ISTIO_METRICS.tcpOpened),
  };
}

/** The answers the topology is built from. */
export interface TopologyTelemetry {
  /** Evaluation time (ms). */
  at: number;
  windowSeconds: number;
  requests: readonly VectorSample[];
  durationBuckets: readonly VectorSample[];
  tcpSent: readonly VectorSample[];
  tcpReceived: readonly VectorSample[];
  tcpOpened: readonly VectorSample[];
  /** Scrape targets, to show proxies that cannot be scraped. */
  targets: readonly TargetStatus[];
}

export interface TopologyTelemetryRequest {
  windowSeconds: number;
  /** Default now: a time within the source's retention replays the past. */
  at?: number;
}

export async function queryTopologyTelemetry(source: TelemetrySource, request: TopologyTelemetryRequest): Promise<TopologyTelemetry> {
  const q = topologyQueries(request.windowSeconds);
  // The first answer fixes the evaluation time, so all five describe the same instant.
  const requests = await source.instant(q.requests, request.at === undefined ? {} : { at: request.at });
  const options = { at: requests.at };
  const [durationBuckets, tcpSent, tcpReceived, tcpOpened, targets] = await Promise.all([
    source.instant(q.durationBuckets, options),
    source.instant(q.tcpSent, options),
    source.instant(q.tcpReceived, options),
    source.instant(q.tcpOpened, options),
    source.targets(),
  ]);
  return {
    at: requests.at,
    windowSeconds: request.windowSeconds,
    requests: requests.samples,
    durationBuckets: durationBuckets.samples,
    tcpSent: tcpSent.samples,
    tcpReceived: tcpReceived.samples,
    tcpOpened: tcpOpened.samples,
    targets,
  };
}
