/**
 * HTTP inside inbound tunnels: each accepted CONNECT stream carries one client connection,
 * HTTP/1.1 or cleartext HTTP/2 (told apart by the HTTP/2 connection preface). HTTP/1.1 is read
 * by Http1DownstreamConnection (llhttp, no http.Server); HTTP/2 is handed to a node `http2`
 * server as if the stream were a socket. gRPC rides on the HTTP/2 one.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { rejoinRepeatedHeaders } from './http-headers';
import { Http1DownstreamConnection } from './http1-downstream';
import type { TunnelContext } from './tunnel-context';

/** What an exchange reads of a request: Http1Request or node's Http2ServerRequest. */
export interface DownstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
  readonly httpVersionMajor: number;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** What an exchange does with a response: Http1Reply or node's Http2ServerResponse. */
export interface DownstreamResponse {
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(chunk: Buffer | string): unknown;
  once(event: 'finish' | 'close' | 'drain', listener: () => void): unknown;
  addTrailers(headers: OutgoingHttpHeaders): void;
  destroy(): unknown;
}

export type DownstreamHandler = (request: DownstreamRequest, response: DownstreamResponse, context: TunnelContext) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const OK = Object.freeze({ ':status': 200 });

export interface DownstreamOptions {
  /** Idle time after which a client connection is closed (HTTP/1.1 keep-alive; Envoy's default idle timeout is 1 h). */
  idleTimeoutMs: number;
}

export class DownstreamServer {
  private readonly http2: http2.Http2Server;
  /** Tunnel of each HTTP/2 session. */
  private readonly contexts = new WeakMap<object, TunnelContext>();
  private readonly http1 = new Set<Http1DownstreamConnection>();
  /** One timer for every HTTP/1.1 connection's keep-alive idle time instead of one per connection. */
  private readonly idleSweeper: NodeJS.Timeout;
  private readonly streams = new Set<ServerHttp2Stream>();
  // The http2 server announces a session synchronously inside emit('connection'): this is its tunnel.
  private connecting: TunnelContext | undefined;

  constructor(
    private readonly handler: DownstreamHandler,
    private readonly options: DownstreamOptions,
  ) {
    this.idleSweeper = setInterval(this.sweepIdle, Math.min(30_000, Math.max(250, Math.floor(options.idleTimeoutMs / 4))));
    this.idleSweeper.unref();
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
      this.http1.add(new Http1DownstreamConnection(stream, context, this.handler, this.options, this));
    }
    if (stream.isPaused()) stream.resume();
  }

  /** Resets every open tunnel. */
  close(): void {
    clearInterval(this.idleSweeper);
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    this.http1.clear();
  }

  /** @internal An HTTP/1.1 connection that is gone. */
  forget(connection: Http1DownstreamConnection): void {
    this.http1.delete(connection);
  }

  // Keep-alive idle time (Node's timeout plus one second) and the head deadline, checked for all at once.
  private readonly sweepIdle = (): void => {
    const now = performance.now();
    for (const connection of this.http1) connection.checkTimeouts(now);
  };

  private readonly onSession = (session: ServerHttp2Session): void => {
    if (this.connecting) this.contexts.set(session, this.connecting);
    else session.destroy();
  };

  private readonly onHttp2Request = (request: Http2ServerRequest, response: Http2ServerResponse): void => {
    const context = this.contexts.get(request.stream.session as ServerHttp2Session);
    if (context) {
      // Repeated headers as the shared matcher and authorization evaluator read them (`,`-joined), not as Node joined them.
      rejoinRepeatedHeaders(request.headers, request.rawHeaders);
      this.handler(request, response, context);
    } else response.stream.close();
  };
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
