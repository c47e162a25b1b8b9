/**
 * HTTP inside inbound tunnels: each accepted CONNECT stream carries one client connection,
 * HTTP/1.1 or cleartext HTTP/2 (told apart by the HTTP/2 connection preface), which is handed to
 * a node `http.Server` or `http2` server as if it were a socket. gRPC rides on the HTTP/2 one.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TunnelContext } from './tunnel-context';
import { carryHttp } from './tunnel-transport';

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;
export type DownstreamResponse = ServerResponse | Http2ServerResponse;
export type DownstreamHandler = (request: DownstreamRequest, response: DownstreamResponse, context: TunnelContext) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const OK = Object.freeze({ ':status': 200 });

export interface DownstreamOptions {
  /** Idle time after which a client connection is closed (HTTP/1.1 keep-alive; Envoy's default idle timeout is 1 h). */
  idleTimeoutMs: number;
}

export class DownstreamServer {
  private readonly http1: http.Server;
  private readonly http2: http2.Http2Server;
  /** Tunnel of each HTTP/1.1 connection (the stream itself) and each HTTP/2 session. */
  private readonly contexts = new WeakMap<object, TunnelContext>();
  private readonly streams = new Set<ServerHttp2Stream>();
  // The http2 server announces a session synchronously inside emit('connection'): this is its tunnel.
  private connecting: TunnelContext | undefined;

  constructor(
    private readonly handler: DownstreamHandler,
    options: DownstreamOptions,
  ) {
    this.http1 = http.createServer({ keepAliveTimeout: options.idleTimeoutMs, requestTimeout: 0 }, this.onHttp1Request);
    this.http1.keepAliveTimeout = options.idleTimeoutMs;
    this.http1.on('clientError', onClientError);
    this.http2 = http2.createServer({ settings: { enablePush: false } });
    this.http2.setTimeout(options.idleTimeoutMs);
    this.http2.on('session', this.onSession);
    this.http2.on('request', this.onHttp2Request);
  }

  /** Accepts a tunnel: answers 200 to CONNECT, then serves whatever HTTP the client speaks in it. */
  serve(stream: ServerHttp2Stream, context: TunnelContext): void {
    stream.respond(OK);
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    new ProtocolSniffer(stream, context, this);
  }

  /** @internal called by ProtocolSniffer once the first bytes have shown the protocol. */
  handOff(stream: ServerHttp2Stream, context: TunnelContext, http2Preface: boolean): void {
    if (http2Preface) {
      this.connecting = context;
      this.http2.emit('connection', stream);
      this.connecting = undefined;
    } else {
      this.contexts.set(carryHttp(stream), context);
      this.http1.emit('connection', stream);
    }
    if (stream.isPaused()) stream.resume();
  }

  /** Resets every open tunnel. */
  close(): void {
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
  }

  private readonly onSession = (session: ServerHttp2Session): void => {
    if (this.connecting) this.contexts.set(session, this.connecting);
    else session.destroy();
  };

  private readonly onHttp1Request = (request: IncomingMessage, response: ServerResponse): void => {
    const context = this.contexts.get(request.socket);
    if (context) this.handler(request, response, context);
    else response.destroy();
  };

  private readonly onHttp2Request = (request: Http2ServerRequest, response: Http2ServerResponse): void => {
    const context = this.contexts.get(request.stream.session as ServerHttp2Session);
    if (context) this.handler(request, response, context);
    else response.stream.close();
  };
}

function onClientError(error: Error, socket: Duplex): void {
  if (socket.writable && (error as NodeJS.ErrnoException).code !== 'ECONNRESET')
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  else socket.destroy();
}

/** Reads just enough of a tunnel to tell the HTTP/2 preface from an HTTP/1.1 request line. */
class ProtocolSniffer {
  private seen: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly context: TunnelContext,
    private readonly server: DownstreamServer,
  ) {
    stream.on('data', this.onData);
    stream.once('end', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.seen = this.seen.length === 0 ? chunk : Buffer.concat([this.seen, chunk]);
    const n = Math.min(this.seen.length, PREFACE.length);
    const isPreface = this.seen.compare(PREFACE, 0, n, 0, n) === 0;
    if (isPreface && n < PREFACE.length) return;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.pause();
    this.stream.unshift(this.seen);
    this.server.handOff(this.stream, this.context, isPreface);
  };

  private readonly onEnd = (): void => {
    this.stream.end();
  };
}
