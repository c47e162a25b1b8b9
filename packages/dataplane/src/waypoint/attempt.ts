/**
 * One try of a request against one endpoint, over a pooled HTTP/1.1 connection or an HTTP/2
 * session: it reports response headers, body, trailers and failures to its exchange, which decides
 * what follows (relay, retry, local reply), and it ends the endpoint's in-flight count exactly once.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, constants as h2, type IncomingHttpHeaders } from 'node:http2';
import type { HeaderRecord } from '@ambit/shared/routing';
import type { Endpoint, EndpointDirectory } from './endpoints';
import type { Exchange } from './exchange';
import type { Http1Connection, Http1ResponseListener } from './http1-connection';
import type { Http1Upstream } from './http1-upstream';
import type { Http2Upstream } from './http2-upstream';

// Timer callbacks take the attempt as an argument: no closure per attempt for a timer that rarely fires.
function perTryTimeout(attempt: Attempt): void {
  attempt.onPerTryTimeout();
}

export class Attempt implements Http1ResponseListener {
  timer: NodeJS.Timeout | undefined;
  status: number | undefined;
  private connection: Http1Connection | undefined;
  private stream: ClientHttp2Stream | undefined;
  private trailers: HeaderRecord | undefined;
  private ended = false;
  private released = false;
  private aborted = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly endpoint: Endpoint,
    private readonly directory: EndpointDirectory,
  ) {}

  /** Fails the attempt as a per-try timeout after `ms`. */
  startPerTryTimer(ms: number): void {
    this.timer = setTimeout(perTryTimeout, ms, this);
  }

  sendHttp1(upstream: Http1Upstream): void {
    const idle = upstream.take(this.endpoint);
    if (idle) this.onConnection(idle);
    // Only a new connection waits: the closures are made on that path alone.
    else
      upstream.connect(this.endpoint).then(
        (connection) => this.onConnection(connection),
        (error: Error) => this.onError(error),
      );
  }

  sendHttp2(upstream: Http2Upstream): void {
    upstream.session(this.endpoint).then(
      (session) => this.onSession(session),
      (error: Error) => this.onError(error),
    );
  }

  private onConnection(connection: Http1Connection): void {
    if (this.aborted) {
      connection.destroy();
      return;
    }
    this.connection = connection;
    try {
      this.exchange.sendHttp1Head(connection, this);
    } catch (error) {
      connection.destroy();
      this.onError(error as Error);
      return;
    }
    this.exchange.attachSink(this, connection);
  }

  private onSession(session: ClientHttp2Session): void {
    if (this.aborted) return;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(this.exchange.http2Headers(), { endStream: false });
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    this.stream = stream;
    stream.on('response', (headers: IncomingHttpHeaders) => this.onHttp2Response(headers));
    stream.on('trailers', (trailers: IncomingHttpHeaders) => {
      this.trailers = trailers;
    });
    stream.on('error', (error: Error) => this.onError(error));
    stream.once('close', () => this.onHttp2Close());
    this.exchange.attachSink(this, stream);
  }

  onHead(status: number, headers: HeaderRecord): void {
    this.exchange.onResponse(this, status, headers);
  }

  onData(chunk: Buffer): void {
    this.exchange.onResponseData(this, chunk);
  }

  onEnd(trailers: HeaderRecord | undefined, last?: Buffer): void {
    this.ended = true;
    // The connection goes back to the pool now: nothing here may touch it any more.
    this.connection = undefined;
    this.exchange.onResponseEnd(this, trailers, last);
  }

  onFail(error: Error): void {
    this.onError(error);
  }

  private onHttp2Response(headers: IncomingHttpHeaders): void {
    const stream = this.stream as ClientHttp2Stream;
    // Read the body only from here on: Node may have DATA ready before it has emitted 'response'.
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.once('end', () => {
      if (this.status !== undefined) this.onEnd(this.trailers, undefined);
    });
    this.exchange.onResponse(this, Number(headers[':status']), headers);
  }

  private onHttp2Close(): void {
    if (this.ended || this.aborted) return;
    this.onError(new Error(`the HTTP/2 stream closed before the response was complete (code ${this.stream?.rstCode})`));
  }

  private onError(error: Error): void {
    if (this.ended || this.aborted) return;
    if (this.status === undefined) this.exchange.onAttemptFailed(this, error, false);
    else this.exchange.onResponseError(this, error);
  }

  /** @internal */
  onPerTryTimeout(): void {
    this.timer = undefined;
    if (this.status !== undefined) return;
    this.exchange.onAttemptFailed(this, new Error('per-try timeout'), true);
  }

  /** Back-pressure from the client: stop reading the response for now. */
  pause(): void {
    this.connection?.pause();
    this.stream?.pause();
  }

  resume(): void {
    this.connection?.resume();
    this.stream?.resume();
  }

  /** Drops a response that will be retried, keeping the connection usable. */
  discard(): void {
    this.aborted = true;
    this.release((this.status ?? 0) >= 500);
    if (this.stream) this.stream.close(h2.NGHTTP2_CANCEL);
    this.connection?.discard();
    this.connection = undefined;
  }

  abort(): void {
    this.aborted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.connection?.destroy();
    this.connection = undefined;
    if (this.stream && !this.stream.destroyed) this.stream.close(h2.NGHTTP2_CANCEL);
  }

  /** Ends the endpoint's in-flight count, once; `failed` counts toward outlier ejection. */
  release(failed: boolean): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    this.directory.release(this.endpoint, failed, Date.now());
  }
}
