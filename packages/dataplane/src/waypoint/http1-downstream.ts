/**
 * HTTP/1.1 from a client inside one inbound tunnel, without http.Server: requests are read by
 * llhttp (the parser under Node's own server, strict, with Node's header size limit) and each is
 * handed over as soon as its head has arrived, as Node's server does, also when pipelined; the
 * replies leave in request order (a reply whose turn has not come waits in memory). Node's server
 * behaviour is kept where a client can see it: keep-alive and `Connection: close`, HTTP/1.0,
 * `Expect: 100-continue` (answered at once) and other expectations (417), 400 to an HTTP/1.1
 * request without Host, 400/413/431 to unparsable requests, CONNECT refused by closing, a request
 * body dropped once its reply has ended, the keep-alive idle timeout (its value plus one second, as
 * Node arms it) and the head deadline (408, Node's headersTimeout). Reading stops while replies or
 * unread bodies pile up; requests past the open-reply cap wait unstarted.
 */
import { type HTTPParser, methods } from 'node:_http_common';
import type { Duplex } from 'node:stream';
import { HIGH_WATER_BYTES, Http1Reply } from './http1-reply';
import { Http1Request } from './http1-request';
import { strictHttpParser } from './strict-http-parser';
import type { TunnelContext } from './tunnel-context';

export type Http1RequestHandler = (request: Http1Request, reply: Http1Reply, context: TunnelContext) => void;

// Node's server answers these and closes when a request cannot be parsed (socketOnError).
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const TOO_LARGE = 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
// Node's server.headersTimeout: a request head (or a new connection's first one) must arrive whole within it.
export const HEAD_TIMEOUT_MS = 60_000;
const CONTINUE_EXPECTED = /(?:^|\W)100-continue(?:$|\W)/i;
// Node's http.Server maxHeadersCount: headers past it are dropped.
const MAX_HEADER_ITEMS = 2000 * 2;
// Pipelined requests answered at once per connection; past it, requests wait (unstarted) and the tunnel is not read.
const MAX_OPEN_REPLIES = 32;

export interface Http1DownstreamOptions {
  /** Keep-alive idle time, announced as `Keep-Alive: timeout=`; the connection closes a second after it. */
  idleTimeoutMs: number;
}

export class Http1DownstreamConnection {
  /**
   * When the connection last went idle between requests (or saw bytes while idle); 0 while a request
   * is open, and before the first one (the head deadline governs a new connection, as in Node's server).
   */
  idleSince = 0;
  /** When the head now being read began to arrive (or the connection opened); 0 when no head is awaited. */
  private headSince = performance.now();
  private readonly parser: HTTPParser;
  /** Replies not yet handed to the tunnel whole, in request order; the first one writes, the others wait. */
  private readonly replies: Http1Reply[] = [];
  /** Requests read past the open-reply cap, not yet handed to the handler, in order. */
  private readonly queued: Http1Request[] = [];
  /** The request llhttp is reading the body of. */
  private parsing: Http1Request | undefined;
  private pendingHeaders: string[] = [];
  private pendingUrl = '';
  /** Request body bytes read and not yet taken, and reply bytes waiting for their turn, over all requests. */
  private unreadBytes = 0;
  private waitingBytes = 0;
  /** Replies ended whose last byte the tunnel has not yet taken: the connection is not idle until they are out. */
  private unfinished = 0;
  private readingPaused = false;
  /** A request said `Connection: close` (or was HTTP/1.0): no request after it is taken. */
  private lastRequestSeen = false;
  /** The last reply has gone out: nothing more is read or answered. */
  private ending = false;
  private executing = false;
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly context: TunnelContext,
    private readonly handler: Http1RequestHandler,
    private readonly options: Http1DownstreamOptions,
    private readonly owner: { forget(connection: Http1DownstreamConnection): void },
  ) {
    // 0: Node's own header limit, as its server applies it.
    this.parser = strictHttpParser('request', 0, {
      onHeaders: this.onHeaders,
      onHeadersComplete: this.onHeadersComplete,
      onBody: this.onBody,
      onMessageComplete: this.onMessageComplete,
    });
    transport.on('data', this.onTransportData);
    transport.on('end', this.onTransportEnd);
    transport.on('error', this.onTransportError);
    transport.on('close', this.onTransportClose);
    transport.on('drain', this.onTransportDrain);
  }

  get destroyed(): boolean {
    return this.closed;
  }

  /** Closes the connection at once (a reset); replies not yet finished hear `close`. */
  destroy(): void {
    if (this.closed) return;
    this.shut();
    this.transport.destroy();
  }

  /**
   * Called by the owner's sweeper: past the keep-alive idle time (plus Node's second) the connection
   * is closed; a head that took longer than HEAD_TIMEOUT_MS is answered 408, as Node's server does.
   */
  checkTimeouts(now: number): void {
    if (this.closed) return;
    if (this.headSince !== 0 && !this.ending && this.headSince <= now - HEAD_TIMEOUT_MS) this.answerAndClose(REQUEST_TIMEOUT);
    else if (this.idleSince !== 0 && this.idleSince <= now - this.options.idleTimeoutMs - 1000) this.destroy();
  }

  /** @internal Writes reply bytes; false when the caller should wait for `drain`. */
  write(data: string | Buffer, encoding: BufferEncoding | undefined, done: (() => void) | undefined): boolean {
    if (this.closed) return true;
    return encoding ? this.transport.write(data, encoding, done) : this.transport.write(data, done);
  }

  /** @internal Writes several pieces as one batch (one write of the tunnel). */
  cork(): void {
    this.transport.cork();
  }

  /** @internal */
  uncork(): void {
    this.transport.uncork();
  }

  /** @internal Bytes a reply keeps until its turn (negative: handed over). */
  replyWaiting(bytes: number): void {
    this.waitingBytes += bytes;
    this.updateReading();
  }

  /** @internal Request body bytes kept until read (negative: read or dropped). */
  bodyUnread(bytes: number): void {
    this.unreadBytes += bytes;
    this.updateReading();
  }

  /** @internal A reply's last byte has been taken by the tunnel (its `finish`). */
  replyFinished(reply: Http1Reply): void {
    this.unfinished--;
    // The idle clock starts when the bytes have left, not at `end`: a slow reader gets its whole reply.
    if (!this.ending) this.goIdleIfDone();
    // After the closing reply, only the client's end is awaited: reaped if it never comes.
    else if (reply.last && !this.closed) this.idleSince = performance.now();
  }

  /** @internal A reply has been given all its bytes (`end`). */
  replyEnded(reply: Http1Reply): void {
    this.unfinished++;
    // Like Node's server, a body nobody reads is dropped (so the next request can be read).
    if (!reply.request.complete) reply.request.dump();
    if (this.replies[0] !== reply) return;
    this.replies.shift();
    this.afterReply(reply);
    this.startQueued();
  }

  /** Room among the open replies: requests read past the cap are handed over, in order. */
  private startQueued(): void {
    while (this.queued.length > 0 && this.replies.length < MAX_OPEN_REPLIES && !this.closed && !this.ending)
      this.begin(this.queued.shift() as Http1Request);
    this.updateReading();
  }

  /** The first reply is done: the next one takes the tunnel, or the connection ends or goes idle. */
  private afterReply(done: Http1Reply): void {
    for (let finished: Http1Reply | undefined = done; finished !== undefined; ) {
      if (finished.last) {
        this.endAfter();
        return;
      }
      const next = this.replies[0];
      if (next === undefined) break;
      next.attach();
      if (!next.ended) break;
      this.replies.shift();
      finished = next;
    }
    this.goIdleIfDone();
    this.updateReading();
  }

  /** Nothing open, waiting or still being written: the keep-alive idle clock starts. */
  private goIdleIfDone(): void {
    if (this.replies.length === 0 && this.queued.length === 0 && this.parsing === undefined && this.unfinished === 0 && !this.closed)
      this.idleSince = performance.now();
  }

  /** The reply that closes the connection is out: nothing after it is read or answered. */
  private endAfter(): void {
    this.ending = true;
    this.headSince = 0;
    this.queued.length = 0;
    const dropped = this.replies.splice(0);
    this.transport.off('data', this.onTransportData);
    // Read on (into nothing) so that the client's end arrives and the tunnel can close.
    this.transport.resume();
    this.transport.end();
    for (const reply of dropped) reply.onClosed();
  }

  private updateReading(): void {
    if (this.closed || this.ending) return;
    const stop = this.queued.length > 0 || this.unreadBytes > HIGH_WATER_BYTES || this.waitingBytes > HIGH_WATER_BYTES;
    if (stop === this.readingPaused) return;
    this.readingPaused = stop;
    if (stop) this.transport.pause();
    else this.transport.resume();
  }

  private begin(request: Http1Request): void {
    this.idleSince = 0;
    const reply = new Http1Reply(this, request, this.options.idleTimeoutMs);
    this.replies.push(reply);
    if (this.replies.length === 1) reply.attach();
    if (request.httpVersionMajor === 1 && request.httpVersionMinor === 1) {
      const headers = request.headers;
      // RFC 9112 §3.2: a request without Host gets 400, as Node's server answers (requireHostHeader).
      if (headers.host === undefined) {
        reply.writeHead(400, { connection: 'close' });
        reply.end();
        return;
      }
      const expect = headers.expect;
      if (expect !== undefined) {
        if (!CONTINUE_EXPECTED.test(expect)) {
          reply.writeHead(417, { 'content-length': '0' });
          reply.end();
          return;
        }
        reply.writeContinue();
      }
    }
    this.updateReading();
    this.handler(request, reply, this.context);
  }

  /** Marks the connection gone and tells the replies not yet finished; the transport is left to the caller. */
  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.off('data', this.onTransportData);
    if (!this.executing) this.parser.close();
    this.owner.forget(this);
    this.parsing = undefined;
    this.queued.length = 0;
    for (const reply of this.replies.splice(0)) reply.onClosed();
  }

  /** Node's server's answer to a request it cannot read: 400, 413 or 431, unless a reply is already on its way. */
  private refuse(error: Error): void {
    if (this.closed) return;
    const code = (error as NodeJS.ErrnoException).code;
    this.answerAndClose(
      code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? TOO_LARGE : BAD_REQUEST,
    );
  }

  /** Ends the connection with a canned answer, or resets it when a reply is already on the wire. */
  private answerAndClose(answer: string): void {
    const replying = this.replies[0]?.onTheWire === true;
    const writable = this.transport.writable && !replying;
    this.shut();
    if (!writable) {
      this.transport.destroy();
      return;
    }
    this.transport.end(answer, 'latin1');
  }

  private readonly onTransportData = (chunk: Buffer): void => {
    if (this.idleSince !== 0) this.idleSince = performance.now();
    // Bytes outside a body: a head is on its way (its first piece may have ended the previous read).
    if (this.parsing === undefined && this.headSince === 0) this.headSince = performance.now();
    let result: number | Error;
    this.executing = true;
    try {
      result = this.parser.execute(chunk);
    } finally {
      this.executing = false;
    }
    if (this.closed) {
      this.parser.close();
      return;
    }
    if (typeof result !== 'number') this.refuse(result);
  };

  private readonly onTransportEnd = (): void => {
    if (this.closed) return;
    if (this.ending) {
      this.shut();
      return;
    }
    let result: Error | undefined;
    this.executing = true;
    try {
      result = this.parser.finish();
    } finally {
      this.executing = false;
    }
    if (result) {
      this.refuse(result);
      return;
    }
    // Node's server (allowHalfOpen off) ends its side when the client ends its own.
    this.shut();
    if (this.transport.writable) this.transport.end();
  };

  private readonly onTransportError = (): void => {
    this.destroy();
  };

  private readonly onTransportClose = (): void => {
    this.shut();
  };

  private readonly onTransportDrain = (): void => {
    this.replies[0]?.onDrain();
  };

  private readonly onHeaders = (headers: string[], url: string): void => {
    for (const item of headers) this.pendingHeaders.push(item);
    this.pendingUrl += url;
  };

  private readonly onHeadersComplete = (
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    _status: unknown,
    _statusMessage: unknown,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number => {
    if (this.closed || this.ending) return 0;
    this.headSince = 0;
    let raw = headers;
    let target = url;
    if (raw === undefined) {
      raw = this.pendingHeaders;
      this.pendingHeaders = [];
    }
    if (target === undefined) {
      target = this.pendingUrl;
      this.pendingUrl = '';
    }
    if (raw.length > MAX_HEADER_ITEMS) raw.length = MAX_HEADER_ITEMS;
    const name = methods[method] ?? 'GET';
    // CONNECT (no handler) and a PRI that was not the HTTP/2 preface: Node's server closes the connection.
    if ((upgrade && name === 'CONNECT') || name === 'PRI') {
      this.destroy();
      return 2;
    }
    // RFC 9112 §9.6: no request after one that closes the connection is taken.
    if (this.lastRequestSeen) return 0;
    const request = new Http1Request(this, name, target, raw, versionMajor, versionMinor, shouldKeepAlive);
    if (!shouldKeepAlive) this.lastRequestSeen = true;
    this.parsing = request;
    if (this.replies.length >= MAX_OPEN_REPLIES || this.queued.length > 0) {
      this.idleSince = 0;
      this.queued.push(request);
      this.updateReading();
    } else this.begin(request);
    return 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    this.parsing?.push(chunk);
  };

  private readonly onMessageComplete = (): void => {
    // Trailers of a chunked request body: read, not kept (as Node's server keeps them unused).
    if (this.pendingHeaders.length > 0) this.pendingHeaders = [];
    this.pendingUrl = '';
    const request = this.parsing;
    if (request === undefined) return;
    this.parsing = undefined;
    request.finish();
    this.goIdleIfDone();
  };
}
