/**
 * One HTTP/1.1 request read from a client connection: what the exchange reads of Node's
 * IncomingMessage (method, url, headers combined as Node combines them, version) and its body as
 * `data` and `end`, with `pause` and `resume`. Body pieces that come before anyone reads them, or
 * while paused, are kept until they are read; past a limit the connection stops reading the tunnel.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { headerRecordOf } from './http-headers';
import type { Http1DownstreamConnection } from './http1-downstream';

type DataListener = (chunk: Buffer) => void;
type EndListener = () => void;

export class Http1Request {
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
  /** llhttp has read the whole message. */
  complete = false;
  /** Body bytes read from the tunnel and not yet delivered. */
  unreadBytes = 0;
  private unread: Buffer[] | undefined;
  private onData: DataListener | undefined;
  private onEnd: EndListener | undefined;
  private paused = false;
  private ended = false;
  private dumped = false;
  private flushQueued = false;

  constructor(
    private readonly connection: Http1DownstreamConnection,
    readonly method: string,
    readonly url: string,
    rawHeaders: readonly string[],
    readonly httpVersionMajor: number,
    readonly httpVersionMinor: number,
    /** llhttp's verdict: HTTP/1.1 without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`. */
    readonly shouldKeepAlive: boolean,
  ) {
    this.headers = headerRecordOf(rawHeaders) as IncomingHttpHeaders;
    this.httpVersion = httpVersionMajor === 1 && httpVersionMinor === 1 ? '1.1' : `${httpVersionMajor}.${httpVersionMinor}`;
  }

  on(_event: 'data', listener: DataListener): this {
    this.onData = listener;
    this.paused = false;
    if (this.unread !== undefined || (this.complete && this.onEnd !== undefined)) this.queueFlush();
    return this;
  }

  once(_event: 'end', listener: EndListener): this {
    this.onEnd = listener;
    // A body already read whole (or none at all) ends at once: no turn of the event loop per request.
    if (this.complete && this.unread === undefined && this.onData !== undefined && !this.paused) this.emitEnd();
    else if (this.complete || this.unread !== undefined) this.queueFlush();
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    if (this.unread !== undefined || (this.complete && !this.ended)) this.queueFlush();
    return this;
  }

  /** @internal A body piece from the parser. */
  push(chunk: Buffer): void {
    if (this.dumped) return;
    if (this.onData !== undefined && !this.paused && this.unread === undefined) {
      this.onData(chunk);
      return;
    }
    if (this.unread === undefined) this.unread = [chunk];
    else this.unread.push(chunk);
    this.unreadBytes += chunk.length;
    this.connection.bodyUnread(chunk.length);
  }

  /** @internal The parser has read the whole message. */
  finish(): void {
    this.complete = true;
    if (this.dumped || this.onEnd === undefined || this.paused || this.unread !== undefined || this.onData === undefined) return;
    this.emitEnd();
  }

  /**
   * @internal The reply is over before the body was read whole: the rest is dropped, also when
   * someone reads it (its reader could no longer hold the client back with `pause`).
   */
  dump(): void {
    this.dumped = true;
    this.onData = undefined;
    this.onEnd = undefined;
    this.unread = undefined;
    this.connection.bodyUnread(-this.unreadBytes);
    this.unreadBytes = 0;
  }

  /** @internal Delivers what was kept, then the end, unless paused again meanwhile. */
  flush(): void {
    this.flushQueued = false;
    if (this.dumped || this.onData === undefined) return;
    const unread = this.unread;
    if (unread !== undefined) {
      let i = 0;
      let taken = 0;
      while (i < unread.length && !this.paused) {
        const chunk = unread[i++] as Buffer;
        taken += chunk.length;
        this.onData(chunk);
        if (this.dumped) return;
      }
      if (i === unread.length) this.unread = undefined;
      else unread.splice(0, i);
      this.unreadBytes -= taken;
      this.connection.bodyUnread(-taken);
    }
    if (this.complete && !this.paused && this.unread === undefined && this.onEnd !== undefined) this.emitEnd();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    process.nextTick(flushRequest, this);
  }

  private emitEnd(): void {
    if (this.ended) return;
    this.ended = true;
    (this.onEnd as EndListener)();
  }
}

function flushRequest(request: Http1Request): void {
  request.flush();
}
