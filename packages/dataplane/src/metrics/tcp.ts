import type { Socket } from 'node:net';
import { parseSpiffeId } from '@ambit/shared/spiffe';
import type { Logger } from 'pino';
import type { Service } from '../state/service';
import type { Workload } from '../state/workload';
import { PeerLabels } from './peer-labels';
import { type Counter, type CounterFamily, labelPair, type MetricsRegistry } from './registry';

/**
 * Istio's TCP telemetry for ztunnel: the four `istio_tcp_*` counters with Istio's labels, and a
 * JSON access log line per connection. Peer labels (PeerLabels) are rendered once per workload and
 * service, so opening a connection costs a string join and a map lookup.
 *
 * Bytes follow Istio's definitions for both reporters: `received` is what the client sent
 * (request direction), `sent` is what the server sent back (response direction).
 */

export type Reporter = 'source' | 'destination';
export type ResponseFlags = '-' | 'DENY' | 'CONNECT';
export type SecurityPolicy = 'mutual_tls' | 'none';

class TcpSeries {
  constructor(
    readonly opened: Counter,
    readonly closed: Counter,
    readonly sent: Counter,
    readonly received: Counter,
  ) {}
}

export class TcpMetrics {
  readonly opened: CounterFamily;
  readonly closed: CounterFamily;
  readonly sent: CounterFamily;
  readonly received: CounterFamily;
  /** Istio's peer labels, rendered once per workload and service. */
  readonly peers = new PeerLabels();
  private readonly series = new Map<string, TcpSeries>();

  constructor(registry: MetricsRegistry) {
    this.opened = registry.counter('istio_tcp_connections_opened_total', 'The total number of TCP connections opened');
    this.closed = registry.counter('istio_tcp_connections_closed_total', 'The total number of TCP connections closed');
    this.received = registry.counter(
      'istio_tcp_received_bytes_total',
      'The size of total bytes received during request in case of a TCP connection',
    );
    this.sent = registry.counter('istio_tcp_sent_bytes_total', 'The size of total bytes sent during response in case of a TCP connection');
  }

  /** The four counters of one label set; `labels` is reporter + peers + `tail(...)`. */
  seriesFor(labels: string): TcpSeries {
    let s = this.series.get(labels);
    if (!s) {
      s = new TcpSeries(this.opened.get(labels), this.closed.get(labels), this.sent.get(labels), this.received.get(labels));
      this.series.set(labels, s);
    }
    return s;
  }
}

const REPORTER: Record<Reporter, string> = { source: labelPair('reporter', 'source'), destination: labelPair('reporter', 'destination') };

const TAILS = new Map<string, string>();
for (const flags of ['-', 'DENY', 'CONNECT'] satisfies ResponseFlags[]) {
  for (const security of ['mutual_tls', 'none'] satisfies SecurityPolicy[]) {
    TAILS.set(
      flags + security,
      `${labelPair('request_protocol', 'tcp')}${labelPair('response_flags', flags)}connection_security_policy="${security}"`,
    );
  }
}

function tail(flags: ResponseFlags, security: SecurityPolicy): string {
  return TAILS.get(flags + security) as string;
}

/** One connection as telemetry sees it; filled by the proxy that owns the connection. */
export interface ConnectionInfo {
  reporter: Reporter;
  security: SecurityPolicy;
  /** Client `ip:port` as this proxy knows it. */
  srcAddr: string;
  /** Where this proxy sends the bytes (`ip:port`). */
  dstAddr: string;
  /** The HBONE `:authority`, when tunnelled. */
  hboneAddr?: string;
  source?: Workload;
  /** SPIFFE URI of the client (peer identity, or the local source workload's). */
  sourceIdentity?: string;
  destination?: Workload;
  service?: Service;
}

/**
 * Telemetry of one connection from open to close: opened/closed counters, live byte counters
 * (moved into the metrics at each scrape and at close), and the access log line.
 */
export class ConnectionResult {
  private readonly startedAt = performance.now();
  private readonly peers: string;
  private readonly series: TcpSeries;
  private bytesSocket: Socket | undefined;
  private requestIsRead = true;
  private reportedRequest = 0;
  private reportedResponse = 0;
  private done = false;

  constructor(
    private readonly tracker: ConnectionTracker,
    readonly info: ConnectionInfo,
  ) {
    const m = tracker.metrics;
    this.peers =
      REPORTER[info.reporter] +
      m.peers.source(info.source, info.security === 'mutual_tls' ? info.sourceIdentity : undefined) +
      m.peers.service(info.service) +
      m.peers.destination(info.destination);
    this.series = m.seriesFor(this.peers + tail('-', info.security));
    this.series.opened.value++;
  }

  /**
   * Counts bytes from the plain TCP side of the connection: `requestIsRead` when the socket is the
   * client's (bytes read from it travel toward the server), false when it is the server's.
   */
  countBytesOf(socket: Socket, requestIsRead: boolean): void {
    this.bytesSocket = socket;
    this.requestIsRead = requestIsRead;
  }

  /** Moves bytes seen since the last flush into the counters. */
  flush(): void {
    const socket = this.bytesSocket;
    if (!socket) return;
    const request = this.requestIsRead ? socket.bytesRead : socket.bytesWritten;
    const response = this.requestIsRead ? socket.bytesWritten : socket.bytesRead;
    this.series.received.value += request - this.reportedRequest;
    this.series.sent.value += response - this.reportedResponse;
    this.reportedRequest = request;
    this.reportedResponse = response;
  }

  /** Records the end: closed counter (with `flags`), final bytes, and the access log line. */
  close(flags: ResponseFlags, error?: string, policy?: string): void {
    if (this.done) return;
    this.done = true;
    this.flush();
    const closedSeries = flags === '-' ? this.series : this.tracker.metrics.seriesFor(this.peers + tail(flags, this.info.security));
    closedSeries.closed.value++;
    this.tracker.finished(this, flags, error, policy, this.reportedRequest, this.reportedResponse, performance.now() - this.startedAt);
  }
}

export class ConnectionTracker {
  private readonly live = new Set<ConnectionResult>();

  constructor(
    readonly metrics: TcpMetrics,
    private readonly accessLog: Logger,
  ) {}

  open(info: ConnectionInfo): ConnectionResult {
    const result = new ConnectionResult(this, info);
    this.live.add(result);
    return result;
  }

  /** Connections not yet closed. */
  get size(): number {
    return this.live.size;
  }

  flushAll(): void {
    for (const c of this.live) c.flush();
  }

  /** Closes the books on every live connection (at shutdown). */
  closeAll(reason: string): void {
    for (const c of [...this.live]) c.close('-', reason);
  }

  /** @internal called by ConnectionResult.close */
  finished(
    c: ConnectionResult,
    flags: ResponseFlags,
    error: string | undefined,
    policy: string | undefined,
    requestBytes: number,
    responseBytes: number,
    durationMs: number,
  ): void {
    this.live.delete(c);
    const failed = error !== undefined;
    if (!this.accessLog.isLevelEnabled(failed ? 'warn' : 'info')) return;
    const info = c.info;
    const mtls = info.security === 'mutual_tls';
    const line: Record<string, unknown> = {
      'src.addr': info.srcAddr,
      'src.workload': info.source?.name,
      'src.namespace': info.source?.namespace ?? (info.sourceIdentity ? parseSpiffeId(info.sourceIdentity)?.namespace : undefined),
      'src.identity': mtls ? info.sourceIdentity : undefined,
      'dst.addr': info.dstAddr,
      'dst.hbone_addr': info.hboneAddr,
      'dst.service': info.service?.hostname,
      'dst.workload': info.destination?.name,
      'dst.namespace': info.destination?.namespace,
      'dst.identity': mtls ? info.destination?.identity : undefined,
      direction: info.reporter === 'source' ? 'outbound' : 'inbound',
      bytes_sent: requestBytes,
      bytes_recv: responseBytes,
      duration: `${Math.round(durationMs)}ms`,
      response_flags: flags,
    };
    if (error !== undefined) line.error = error;
    if (policy !== undefined) line.policy = policy;
    if (failed) this.accessLog.warn(line, 'connection complete');
    else this.accessLog.info(line, 'connection complete');
  }
}
