/**
 * One try of a request against one endpoint, over the HTTP/1.1 agent or an HTTP/2 session: it
 * reports response headers, trailers and failures to its exchange, which decides what follows
 * (relay, retry, local reply), and it ends the endpoint's in-flight count exactly once.
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { type ClientHttp2Session, type ClientHttp2Stream, constants as h2, type IncomingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Endpoint, EndpointDirectory } from './endpoints';
import type { Exchange } from './exchange';

export class Attempt {
  timer: NodeJS.Timeout | undefined;
  status: number | undefined;
  private request: ClientRequest | undefined;
  private stream: ClientHttp2Stream | undefined;
  private released = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly endpoint: Endpoint,
    private readonly directory: EndpointDirectory,
  ) {}

  sendHttp1(): void {
    const request = http.request(this.exchange.http1Options(this.endpoint));
    this.request = request;
    request.on('response', this.onHttp1Response);
    request.on('error', this.onError);
    this.exchange.attachSink(this, request);
  }

  readonly onSession = (session: ClientHttp2Session): void => {
    if (this.released) return;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(this.exchange.http2Headers(), { endStream: false });
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    this.stream = stream;
    stream.on('response', this.onHttp2Response);
    stream.on('trailers', this.onHttp2Trailers);
    stream.on('error', this.onError);
    stream.once('close', this.onHttp2Close);
    this.exchange.attachSink(this, stream);
  };

  private readonly onHttp1Response = (response: IncomingMessage): void => {
    this.exchange.onResponse(this, response.statusCode ?? 502, response.headers, response);
  };

  private readonly onHttp2Response = (headers: IncomingHttpHeaders): void => {
    this.exchange.onResponse(this, Number(headers[':status']), headers, this.stream as ClientHttp2Stream);
  };

  private readonly onHttp2Trailers = (trailers: IncomingHttpHeaders): void => {
    this.exchange.onTrailers(this, trailers);
  };

  private readonly onHttp2Close = (): void => {
    if (this.status === undefined) this.onError(new Error(`the HTTP/2 stream closed before a response (code ${this.stream?.rstCode})`));
  };

  readonly onError = (error: Error): void => {
    if (this.status !== undefined) return;
    this.exchange.onAttemptFailed(this, error, false);
  };

  readonly onPerTryTimeout = (): void => {
    this.timer = undefined;
    if (this.status !== undefined) return;
    this.exchange.onAttemptFailed(this, new Error('per-try timeout'), true);
  };

  /** Drops a response that will be retried, keeping the connection usable. */
  discard(body: Readable): void {
    this.release((this.status ?? 0) >= 500);
    if (this.stream) this.stream.close(h2.NGHTTP2_CANCEL);
    else body.resume();
  }

  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.request && !this.request.destroyed) this.request.destroy();
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
