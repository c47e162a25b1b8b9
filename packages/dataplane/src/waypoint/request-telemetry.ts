/**
 * Istio's HTTP telemetry for the waypoint (`reporter="waypoint"`): `istio_requests_total`, and the
 * histograms `istio_request_duration_milliseconds`, `istio_request_bytes` and
 * `istio_response_bytes`, with Istio's labels; and one JSON access log line per request.
 * Peer labels are the ztunnel's (PeerLabels), rendered once per workload and service.
 */
import { ISTIO_DURATION_BUCKETS_MS } from '@ambit/shared/istio-telemetry';
import type { Logger } from 'pino';
import { PeerLabels } from '../metrics/peer-labels';
import {
  type Counter,
  type CounterFamily,
  type HistogramFamily,
  type HistogramSeries,
  labelPair,
  type MetricsRegistry,
} from '../metrics/registry';
import type { Service } from '../state/service';
import type { Endpoint } from './endpoints';
import type { TunnelContext } from './tunnel-context';

/** Envoy's response flags as Istio reports them; several join with commas (`DI,UF`). */
export type ResponseFlag = 'NR' | 'UF' | 'UT' | 'URX' | 'FI' | 'DI' | 'DENY' | 'UH' | 'UO' | 'UC' | 'DC';

const SIZE_BUCKETS_BYTES = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];
const REPORTER = labelPair('reporter', 'waypoint');

/** One request from arrival to the last byte, as telemetry sees it; filled in by the proxy. */
export class RequestRecord {
  readonly startedAt = performance.now();
  grpc = false;
  /** The status sent to the client; 0 when none was (the client left first). */
  status = 0;
  grpcStatus = '';
  flags = '';
  requestBytes = 0;
  responseBytes = 0;
  /** The service the request was routed to (the backend), else the one dialed. */
  destinationService: Service | undefined;
  endpoint: Endpoint | undefined;
  /** `namespace/name/rule/match` of the route that matched. */
  route: string | undefined;
  /** The policy that denied the request. */
  policy: string | undefined;
  error: string | undefined;
  attempts = 0;

  constructor(
    readonly context: TunnelContext,
    readonly method: string,
    readonly path: string,
    readonly authority: string,
    readonly httpVersion: string,
  ) {
    this.destinationService = context.service;
  }

  addFlag(flag: ResponseFlag): void {
    if (!this.flags.split(',').includes(flag)) this.flags = this.flags === '' ? flag : `${this.flags},${flag}`;
  }
}

class RequestSeries {
  constructor(
    readonly requests: Counter,
    readonly duration: HistogramSeries,
    readonly requestBytes: HistogramSeries,
    readonly responseBytes: HistogramSeries,
  ) {}
}

export class RequestTelemetry {
  private readonly peers = new PeerLabels();
  private readonly requests: CounterFamily;
  private readonly duration: HistogramFamily;
  private readonly requestBytes: HistogramFamily;
  private readonly responseBytes: HistogramFamily;
  /** Series by source, service, destination and outcome labels: each part is a cached string, so no label set is built per request. */
  private readonly series = new Map<string, Map<string, Map<string, Map<string, RequestSeries>>>>();
  private seriesCount = 0;
  private readonly tails = new Map<string, string>();
  /** The tails of plain HTTP answers without flags, by status: found without building a key string. */
  private readonly plainTails = new Map<number, string>();

  constructor(
    registry: MetricsRegistry,
    private readonly accessLog: Logger,
  ) {
    this.requests = registry.counter('istio_requests_total', 'Total requests handled by an Istio proxy');
    this.duration = registry.histogram(
      'istio_request_duration_milliseconds',
      'Request duration in milliseconds',
      ISTIO_DURATION_BUCKETS_MS,
    );
    this.requestBytes = registry.histogram('istio_request_bytes', 'Request body size in bytes', SIZE_BUCKETS_BYTES);
    this.responseBytes = registry.histogram('istio_response_bytes', 'Response body size in bytes', SIZE_BUCKETS_BYTES);
  }

  /** Counts a finished request and writes its access log line. */
  finish(record: RequestRecord): void {
    const durationMs = performance.now() - record.startedAt;
    const ctx = record.context;
    const source = this.peers.source(ctx.source, ctx.peer.uri);
    const service = this.peers.service(record.destinationService);
    const destination = this.peers.destination(record.endpoint?.workload);
    const tail = this.tail(record);
    let s = this.series.get(source)?.get(service)?.get(destination)?.get(tail);
    if (!s) {
      const labels = REPORTER + source + service + destination + tail;
      s = new RequestSeries(
        this.requests.get(labels),
        this.duration.get(labels),
        this.requestBytes.get(labels),
        this.responseBytes.get(labels),
      );
      if (this.seriesCount >= 50_000) {
        this.series.clear();
        this.seriesCount = 0;
      }
      childOf(childOf(childOf(this.series, source), service), destination).set(tail, s);
      this.seriesCount++;
    }
    s.requests.value++;
    s.duration.observe(durationMs);
    s.requestBytes.observe(record.requestBytes);
    s.responseBytes.observe(record.responseBytes);
    this.log(record, durationMs);
  }

  private tail(r: RequestRecord): string {
    if (!r.grpc && r.grpcStatus === '' && r.flags === '') {
      let plain = this.plainTails.get(r.status);
      if (plain === undefined) {
        plain = this.labelTail(r);
        this.plainTails.set(r.status, plain);
      }
      return plain;
    }
    return this.labelTail(r);
  }

  /** The outcome labels of a request, each set rendered once. */
  private labelTail(r: RequestRecord): string {
    const flags = r.flags === '' ? '-' : r.flags;
    const key = `${r.grpc ? 'g' : 'h'}${r.status} ${r.grpcStatus} ${flags}`;
    let tail = this.tails.get(key);
    if (tail === undefined) {
      tail =
        labelPair('request_protocol', r.grpc ? 'grpc' : 'http') +
        labelPair('response_code', String(r.status)) +
        labelPair('grpc_response_status', r.grpcStatus) +
        labelPair('response_flags', flags) +
        'connection_security_policy="mutual_tls"';
      this.tails.set(key, tail);
    }
    return tail;
  }

  private log(r: RequestRecord, durationMs: number): void {
    const failed = r.status === 0 || r.status >= 500;
    if (!this.accessLog.isLevelEnabled(failed ? 'warn' : 'info')) return;
    const ctx = r.context;
    const line: Record<string, unknown> = {
      'src.addr': ctx.sourceAddress,
      'src.workload': ctx.source?.name,
      'src.namespace': ctx.source?.namespace ?? ctx.peer.id.namespace,
      'src.identity': ctx.peer.uri,
      'dst.service': r.destinationService?.hostname,
      'dst.addr': r.endpoint?.authority,
      'dst.workload': r.endpoint?.workload?.name,
      'dst.identity': r.endpoint?.identity,
      method: r.method,
      path: r.path,
      authority: r.authority,
      protocol: r.grpc ? 'grpc' : `HTTP/${r.httpVersion}`,
      status: r.status,
      response_flags: r.flags === '' ? '-' : r.flags,
      duration_ms: Math.round(durationMs * 100) / 100,
      bytes_received: r.requestBytes,
      bytes_sent: r.responseBytes,
      attempts: r.attempts,
    };
    if (r.grpcStatus !== '') line.grpc_status = r.grpcStatus;
    if (r.route !== undefined) line.route = r.route;
    if (r.policy !== undefined) line.policy = r.policy;
    if (r.error !== undefined) line.error = r.error;
    if (failed) this.accessLog.warn(line, 'request complete');
    else this.accessLog.info(line, 'request complete');
  }
}

function childOf<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let child = map.get(key);
  if (!child) {
    child = new Map();
    map.set(key, child);
  }
  return child;
}
