/**
 * HBONE streams as the transport of the upstream HTTP/1.1 connections, Node's HTTP/1.1 server
 * and HTTP/2 clients inside tunnels: opening a tunnel to an endpoint (or a plain TCP connection to a workload outside
 * the mesh) and making a stream safe to carry HTTP.
 */
import type { ClientHttp2Stream, Http2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { newTraceparent } from '../hbone/headers';
import type { HbonePool } from '../ztunnel/pool';
import type { Endpoint } from './endpoints';

function returnThis<T>(this: T): T {
  return this;
}

interface WritevEntry {
  chunk: Buffer | string;
}

/** Http2Stream's own batched write, minus empty chunks, which it garbles in Node 20. */
function writevWithoutEmpty(this: Http2Stream, data: WritevEntry[], done: (error?: Error | null) => void): void {
  let kept = data;
  for (const entry of data) {
    if (entry.chunk.length > 0) continue;
    kept = data.filter((e) => e.chunk.length > 0);
    break;
  }
  if (kept.length === 0) {
    done();
    return;
  }
  (Object.getPrototypeOf(this) as { _writev(data: WritevEntry[], done: (error?: Error | null) => void): void })._writev.call(
    this,
    kept,
    done,
  );
}

/**
 * Lets an HBONE stream stand in for a socket under Node's HTTP/2 client (the waypoint's HTTP/2
 * upstream; HTTP/1.1 on both legs is the waypoint's own llhttp code, which needs none of this).
 * Node 20's Http2Stream garbles a batched write (writev) holding an empty string: batches drop
 * empty chunks first. The keep-alive bookkeeping calls `ref`, `unref` and `setKeepAlive`, which
 * a stream lacks and needs no more than a no-op.
 */
export function carryHttp<T extends Http2Stream>(stream: T): T {
  const socketLike = stream as unknown as Record<string, unknown>;
  socketLike._writev = writevWithoutEmpty;
  socketLike.ref = returnThis;
  socketLike.unref = returnThis;
  socketLike.setKeepAlive = returnThis;
  socketLike.setNoDelay = returnThis;
  return stream;
}

/** The endpoint could not be reached: the tunnel was refused or never opened (Envoy's UF). */
export class UpstreamConnectError extends Error {
  readonly code = 'ERR_UPSTREAM_CONNECT';
}

export interface ConnectorOptions {
  pool: HbonePool;
  /** The waypoint's own SPIFFE identity: tunnels to endpoints are opened as the waypoint. */
  identity: string;
  connectTimeoutMs: number;
}

/** Opens connections to endpoints: a CONNECT stream to the endpoint's node ztunnel, or plain TCP. */
export class EndpointConnector {
  constructor(private readonly options: ConnectorOptions) {}

  open(endpoint: Endpoint): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
      const attempt = new PendingConnection(resolve, reject, this.options.connectTimeoutMs, endpoint.authority);
      if (endpoint.gateway) {
        this.options.pool
          .open(this.options.identity, endpoint.gateway, { authority: endpoint.authority, traceparent: newTraceparent() })
          .then(attempt.onStream, attempt.onFailed);
      } else {
        attempt.onSocket(net.connect({ host: endpoint.address, port: endpoint.port, noDelay: true }));
      }
    });
  }
}

/** One connection between "asked for" and "usable": a 200 to CONNECT, or a TCP connect. */
class PendingConnection {
  private readonly timer: NodeJS.Timeout;
  private stream: ClientHttp2Stream | undefined;
  private socket: net.Socket | undefined;
  private settled = false;

  constructor(
    private readonly resolve: (transport: Duplex) => void,
    private readonly reject: (error: Error) => void,
    timeoutMs: number,
    private readonly authority: string,
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
  }

  readonly onStream = (stream: ClientHttp2Stream): void => {
    if (this.settled) {
      stream.destroy();
      return;
    }
    this.stream = stream;
    stream.on('error', this.onError);
    stream.once('close', this.onClose);
    stream.once('response', this.onResponse);
  };

  readonly onSocket = (socket: net.Socket): void => {
    this.socket = socket;
    socket.on('error', this.onError);
    socket.once('connect', this.onConnect);
  };

  readonly onFailed = (error: Error): void => {
    this.fail(new UpstreamConnectError(`no HBONE tunnel to ${this.authority}: ${error.message}`));
  };

  private readonly onResponse = (headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void => {
    const stream = this.stream as ClientHttp2Stream;
    if (headers[':status'] !== 200) {
      this.fail(new UpstreamConnectError(`${this.authority} answered ${headers[':status']} to CONNECT`));
      stream.destroy();
      return;
    }
    stream.off('error', this.onError);
    stream.off('close', this.onClose);
    this.succeed(carryHttp(stream));
  };

  private readonly onConnect = (): void => {
    const socket = this.socket as net.Socket;
    socket.off('error', this.onError);
    this.succeed(socket);
  };

  private readonly onError = (error: Error): void => {
    this.fail(new UpstreamConnectError(`connection to ${this.authority} failed: ${error.message}`));
  };

  private readonly onClose = (): void => {
    this.fail(new UpstreamConnectError(`the tunnel to ${this.authority} closed before an answer`));
  };

  private readonly onTimeout = (): void => {
    this.fail(new UpstreamConnectError(`connecting to ${this.authority} timed out`));
    this.stream?.destroy();
    this.socket?.destroy();
  };

  private succeed(transport: Duplex): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(transport);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }
}
