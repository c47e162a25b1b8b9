import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { abort, bridge } from '../hbone/bridge';
import { formatAuthority, formatBaggage, formatForwarded, newTraceparent } from '../hbone/headers';
import type { CounterFamily } from '../metrics/registry';
import type { ConnectionResult, ConnectionTracker } from '../metrics/tcp';
import type { ProxyState } from '../state/proxy-state';
import type { Workload } from '../state/workload';
import type { HbonePool } from './pool';
import { type OutboundRoute, OutboundRouter } from './route';
import { connectUpstream } from './upstream';

/**
 * Outbound: a local workload's captured connection → an HBONE stream carrying it to the chosen
 * endpoint's node (or to a waypoint), with the workload's own identity; or plain TCP when the
 * destination is outside the mesh. The source workload is whoever owns the source address.
 */

export interface OutboundOptions {
  node: string;
  state: ProxyState;
  pool: HbonePool;
  tracker: ConnectionTracker;
  logger: Logger;
  /** `ambit_ztunnel_connections_refused_total`, by reason. */
  refused: CounterFamily;
  connectTimeoutMs: number;
}

const UNKNOWN_SOURCE = 'reason="unknown_source"';
const NO_ROUTE = 'reason="no_route"';

export class OutboundProxy {
  private readonly router: OutboundRouter;
  private readonly baggage = new WeakMap<Workload, string>();

  constructor(private readonly options: OutboundOptions) {
    this.router = new OutboundRouter(options.state);
  }

  /** The capture's connection handler. */
  readonly handle = (socket: Socket, destinationIp: string, destinationPort: number): void => {
    const { state, node, logger } = this.options;
    const sourceIp = socket.remoteAddress ?? '';
    const source = state.workloadByIp(sourceIp);
    if (!source || source.node !== node) {
      this.options.refused.get(UNKNOWN_SOURCE).value++;
      logger.warn(
        { 'src.addr': sourceIp, 'dst.addr': formatAuthority(destinationIp, destinationPort) },
        'refused: the source address is not a workload on this node',
      );
      socket.destroy();
      return;
    }
    const route = this.router.resolve(destinationIp, destinationPort);
    const srcAddr = formatAuthority(sourceIp, socket.remotePort ?? 0);
    if (route.kind === 'hbone') this.tunnel(socket, source, srcAddr, route);
    else if (route.kind === 'passthrough') this.passthrough(socket, source, srcAddr, route);
    else {
      this.options.refused.get(NO_ROUTE).value++;
      logger.warn(
        { 'src.addr': srcAddr, 'src.workload': source.name, 'dst.service': route.service?.hostname, error: route.reason },
        'refused: no route',
      );
      socket.destroy();
    }
  };

  private tunnel(socket: Socket, source: Workload, srcAddr: string, route: Extract<OutboundRoute, { kind: 'hbone' }>): void {
    const result = this.options.tracker.open({
      reporter: 'source',
      security: 'mutual_tls',
      srcAddr,
      dstAddr: formatAuthority(route.gateway.address, route.gateway.port),
      hboneAddr: route.authority,
      source,
      sourceIdentity: source.identity,
      destination: route.destination,
      service: route.service,
    });
    const pending = new PendingTunnel(socket, result);
    this.options.pool
      .open(source.identity, route.gateway, {
        authority: route.authority,
        forwarded: formatForwarded(socket.remoteAddress ?? '', socket.remotePort ?? 0, route.service?.hostname),
        baggage: this.baggageOf(source),
        traceparent: newTraceparent(),
      })
      .then(pending.onStream, pending.onOpenFailed);
  }

  private passthrough(socket: Socket, source: Workload, srcAddr: string, route: Extract<OutboundRoute, { kind: 'passthrough' }>): void {
    const result = this.options.tracker.open({
      reporter: 'source',
      security: 'none',
      srcAddr,
      dstAddr: formatAuthority(route.ip, route.port),
      source,
      sourceIdentity: source.identity,
      destination: route.destination,
      service: route.service,
    });
    connectUpstream({ host: route.ip, port: route.port, timeoutMs: this.options.connectTimeoutMs }, socket, result, {
      failed: (error) => {
        result.close('CONNECT', error.message);
        abort(socket);
      },
    });
  }

  private baggageOf(w: Workload): string {
    let value = this.baggage.get(w);
    if (value === undefined) {
      value = formatBaggage(w);
      this.baggage.set(w, value);
    }
    return value;
  }
}

/** One tunnel between "asked the pool" and "bytes flow": the client may leave, the peer may refuse. */
class PendingTunnel {
  private stream: ClientHttp2Stream | undefined;
  private clientGone = false;
  private error: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly result: ConnectionResult,
  ) {
    socket.on('error', this.onClientError);
    socket.once('close', this.onClientClose);
  }

  readonly onStream = (stream: ClientHttp2Stream): void => {
    if (this.clientGone) {
      abort(stream);
      return;
    }
    this.stream = stream;
    stream.on('error', this.onStreamError);
    stream.once('response', this.onResponse);
    stream.once('close', this.onStreamClose);
  };

  readonly onOpenFailed = (error: Error): void => {
    if (this.clientGone) return;
    this.result.close('CONNECT', error.message);
    abort(this.socket);
  };

  private readonly onResponse = (headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void => {
    const stream = this.stream as ClientHttp2Stream;
    const status = headers[':status'];
    if (status !== 200) {
      this.result.close(status === 401 ? 'DENY' : 'CONNECT', `the destination answered ${status} to CONNECT`);
      abort(stream);
      abort(this.socket);
      return;
    }
    this.socket.off('error', this.onClientError);
    this.socket.off('close', this.onClientClose);
    stream.off('error', this.onStreamError);
    stream.off('close', this.onStreamClose);
    this.result.countBytesOf(this.socket, true);
    bridge(this.socket, stream, this.onDone);
  };

  private readonly onClientError = (error: Error): void => {
    this.error ??= error.message;
  };

  private readonly onClientClose = (): void => {
    this.clientGone = true;
    if (this.stream) abort(this.stream);
    this.result.close('-', this.error ?? 'the client closed before the tunnel opened');
  };

  private readonly onStreamError = (error: Error): void => {
    this.error ??= error.message;
  };

  private readonly onStreamClose = (): void => {
    this.result.close('CONNECT', this.error ?? `the tunnel closed before an answer (HTTP/2 code ${this.stream?.rstCode})`);
    abort(this.socket);
  };

  private readonly onDone = (error: Error | undefined): void => {
    this.result.close('-', error?.message);
  };
}
