/**
 * The answer to one HTTP/1.1 request, written as Node's ServerResponse writes it: status line with
 * Node's reason phrase, `Date`, `Connection: keep-alive` with `Keep-Alive: timeout=` or
 * `Connection: close`, chunked framing when no Content-Length is given (for HTTP/1.1; HTTP/1.0
 * clients get the body delimited by the close), no body for HEAD, 204 and 304. The head waits for
 * the first body write so that head and body leave in one write. A reply to a pipelined request
 * whose turn has not come keeps its bytes until the replies before it are out. Events are the few
 * the exchange listens to (`finish`, `close`, `drain`), each kept in a slot instead of an EventEmitter.
 */
import { _checkInvalidHeaderChar, _checkIsHttpToken } from 'node:_http_common';
import { type OutgoingHttpHeaders, STATUS_CODES } from 'node:http';
import type { Http1DownstreamConnection } from './http1-downstream';
import { headBuilder } from './http1-head';
import type { Http1Request } from './http1-request';

type Listener = () => void;

/** Beyond this much unread request body or reply bytes waiting their turn, the client's tunnel is not read. */
export const HIGH_WATER_BYTES = 64 * 1024;

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;
const CLOSE = /(?:^|\W)close(?:$|\W)/i;

let dateSecond = 0;
let dateLine = '';
/** Status lines by code, and the last Keep-Alive line: rendered once, not per reply. */
const statusLines: string[] = [];
let keepAliveSeconds = -1;
let keepAliveLine = '';

function statusLine(status: number): string {
  let text = statusLines[status];
  if (text === undefined) {
    text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    statusLines[status] = text;
  }
  return text;
}

function keepAliveLineFor(idleTimeoutMs: number): string {
  const seconds = Math.floor(idleTimeoutMs / 1000);
  if (seconds !== keepAliveSeconds) {
    keepAliveSeconds = seconds;
    keepAliveLine = `Keep-Alive: timeout=${seconds}\r\n`;
  }
  return keepAliveLine;
}

/** `Date: …\r\n`, rendered once a second as Node renders it. */
function currentDateLine(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
  }
  return dateLine;
}

export class InvalidReplyHeaderError extends TypeError {
  readonly code = 'ERR_INVALID_HTTP_TOKEN';
}

export class Http1Reply {
  /** `writeHead` was called (Node's `headersSent`). */
  headersSent = false;
  /** The head has been written (to the tunnel, or kept until this reply's turn). */
  headWritten = false;
  /** Its turn has come: it writes to the tunnel. */
  attached = false;
  /** `end` was called. */
  ended = false;
  /** The last byte has been handed to the tunnel (Node's `writableFinished`). */
  writableFinished = false;
  statusCode = 200;
  private head: Buffer | undefined;
  private hasBody: boolean;
  private chunked = false;
  /** The connection ends after this reply. */
  last = false;
  private waiting: Buffer[] | undefined;
  private waitingBytes = 0;
  private wantsDrain = false;
  /** Batches handed to the tunnel whose write has not yet been confirmed (each confirms the ones before it). */
  private unconfirmed = 0;
  /** `end` had nothing left to write: `finish` waits for the last batch's confirmation. */
  private finishOnConfirm = false;
  /** Trailer lines, checked when added. */
  private trailers: string | undefined;
  private onFinish: Listener | undefined;
  private onClose: Listener | undefined;
  private onDrainOne: Listener | undefined;
  private onDrainMore: Listener[] | undefined;
  private closed = false;
  private onBatchWritten: (() => void) | undefined;

  constructor(
    private readonly connection: Http1DownstreamConnection,
    readonly request: Http1Request,
    private readonly idleTimeoutMs: number,
  ) {
    this.hasBody = request.method !== 'HEAD';
  }

  get destroyed(): boolean {
    return this.closed;
  }

  /** @internal Some of it is on the wire: an error answer can no longer be written in its place. */
  get onTheWire(): boolean {
    return this.attached && this.headWritten;
  }

  once(event: 'finish' | 'close' | 'drain', listener: Listener): this {
    if (event === 'finish') this.onFinish = listener;
    else if (event === 'close') this.onClose = listener;
    else if (this.onDrainOne === undefined || this.onDrainOne === listener) this.onDrainOne = listener;
    else if (this.onDrainMore === undefined) this.onDrainMore = [listener];
    else this.onDrainMore.push(listener);
    return this;
  }

  writeHead(requested: number, headers?: OutgoingHttpHeaders): this {
    if (this.headersSent)
      throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    // As Node's writeHead: the code is taken as an integer, and must have three digits.
    const status = requested | 0;
    if (status < 100 || status > 999)
      throw Object.assign(new RangeError(`Invalid status code: ${requested}`), { code: 'ERR_HTTP_INVALID_STATUS_CODE' });
    const request = this.request;
    // A head refused below (a bad header) leaves nothing behind for the next writeHead.
    this.last = false;
    this.chunked = false;
    this.hasBody = request.method !== 'HEAD';
    this.statusCode = status;
    const head = headBuilder.start(statusLine(status));
    let hasLength = false;
    let hasEncoding = false;
    let hasDate = false;
    let hasConnection = false;
    let defaultKeepAlive = true;
    let keepAlive = request.shouldKeepAlive;
    if (status === 204 || status === 304 || (status >= 100 && status <= 199)) this.hasBody = false;
    if (headers) {
      for (const name in headers) {
        const value = headers[name];
        if (value === undefined) continue;
        if (!_checkIsHttpToken(name)) throw new InvalidReplyHeaderError(`Header name must be a valid HTTP token ["${name}"]`);
        if (typeof value === 'object') {
          for (const one of value) head.line(name, checkedValue(name, one));
        } else head.line(name, checkedValue(name, value));
        if (name.length < 4 || name.length > 17) continue;
        // The headers that decide framing and the connection's fate, as Node's matchHeader reads them.
        switch (name.toLowerCase()) {
          case 'connection':
            hasConnection = true;
            if (CLOSE.test(String(value))) this.last = true;
            else keepAlive = true;
            break;
          case 'transfer-encoding':
            hasEncoding = true;
            if (CHUNKED.test(String(value))) this.chunked = true;
            break;
          case 'content-length':
            hasLength = true;
            break;
          case 'date':
            hasDate = true;
            break;
          case 'keep-alive':
            defaultKeepAlive = false;
            break;
          default:
            break;
        }
      }
    }
    if (!hasDate) head.add(currentDateLine());
    // HTTP/1.0 clients get chunks only when they said they take them (TE: chunked).
    const chunkedByDefault =
      request.httpVersionMinor >= 1 || request.httpVersionMajor > 1 || CHUNKED.test(String(request.headers.te ?? ''));
    if (this.chunked && (status === 204 || status === 304)) {
      this.chunked = false;
      keepAlive = false;
    }
    if (!hasConnection) {
      if (keepAlive && (hasLength || chunkedByDefault)) {
        head.add('Connection: keep-alive\r\n');
        if (defaultKeepAlive) head.add(keepAliveLineFor(this.idleTimeoutMs));
      } else {
        this.last = true;
        head.add('Connection: close\r\n');
      }
    }
    if (!hasLength && !hasEncoding && this.hasBody) {
      if (!chunkedByDefault) this.last = true;
      else {
        head.add('Transfer-Encoding: chunked\r\n');
        this.chunked = true;
      }
    }
    // HEAD, 204 and 304 carry no body whatever the head says (a route may set Transfer-Encoding): no last chunk either.
    if (!this.hasBody) this.chunked = false;
    this.head = head.finish();
    this.headersSent = true;
    return this;
  }

  /** A body piece; false when the caller should wait for `drain`. */
  write(chunk: Buffer | string): boolean {
    if (this.ended || this.closed) return true;
    if (!this.headersSent) this.writeHead(this.statusCode);
    // Node ignores body writes to a reply that has none (HEAD, 204, 304); the head goes with `end`.
    if (!this.hasBody || chunk.length === 0) return true;
    const connection = this.connection;
    connection.cork();
    if (!this.headWritten) this.writeHeadNow();
    let more: boolean;
    // Only a batch that reaches the tunnel now is confirmed; a kept one is confirmed when its turn comes (attach).
    const confirm = this.attached ? this.batchWrittenListener() : undefined;
    if (confirm !== undefined) this.unconfirmed++;
    if (this.chunked) {
      this.put(`${Buffer.byteLength(chunk).toString(16)}\r\n`, 'latin1', undefined);
      this.put(chunk, undefined, undefined);
      more = this.put(CRLF, 'latin1', confirm);
    } else more = this.put(chunk, undefined, confirm);
    connection.uncork();
    if (!more) this.wantsDrain = true;
    return more;
  }

  /** Trailers for a chunked reply, sent with its last chunk. */
  addTrailers(headers: OutgoingHttpHeaders): void {
    // Checked now, as Node checks them: end() must not throw halfway.
    this.trailers = trailerLines(headers);
  }

  end(chunk?: Buffer | string): this {
    if (this.ended || this.closed) return this;
    if (!this.headersSent) {
      // As Node does when a reply ends before its head: the length is the one piece's.
      const length = chunk === undefined ? 0 : Buffer.byteLength(chunk);
      this.writeHead(this.statusCode, { 'content-length': String(length) });
    }
    this.ended = true;
    const connection = this.connection;
    const body = this.hasBody && chunk !== undefined && chunk.length > 0 ? chunk : undefined;
    // Never an empty write: Node 20's Http2Stream garbles a batch holding one. The last piece carries `finish`.
    connection.cork();
    try {
      if (this.chunked) {
        if (!this.headWritten) this.writeHeadNow();
        if (body !== undefined) {
          this.put(`${Buffer.byteLength(body).toString(16)}\r\n`, 'latin1', undefined);
          this.put(body, undefined, undefined);
          this.put(CRLF, 'latin1', undefined);
        }
        this.put(this.trailers ? `0\r\n${this.trailers}\r\n` : LAST_CHUNK, 'latin1', this.onWritten);
      } else if (body !== undefined) {
        if (!this.headWritten && typeof body !== 'string' && body.length <= JOIN_BODY_BYTES) {
          // Head and a small body as one buffer: one write of the tunnel instead of a two-piece batch (writev).
          this.headWritten = true;
          this.put(joined(this.head as Buffer, body), undefined, this.onWritten);
        } else {
          if (!this.headWritten) this.writeHeadNow();
          this.put(body, undefined, this.onWritten);
        }
      } else if (!this.headWritten) {
        this.headWritten = true;
        this.put(this.head as Buffer, undefined, this.onWritten);
      } else if (this.attached) {
        // All of it was written before: `finish` once the tunnel has taken the last of it.
        if (this.unconfirmed === 0) process.nextTick(this.onWritten);
        else this.finishOnConfirm = true;
      }
    } finally {
      connection.uncork();
    }
    connection.replyEnded(this);
    return this;
  }

  /** Sends `100 Continue` (in its turn, like everything of this reply). */
  writeContinue(): void {
    this.put(CONTINUE, 'latin1', undefined);
  }

  /** @internal Its turn has come: what it kept goes out in one batch (and, if it has ended, `finish` follows). */
  attach(): void {
    if (this.attached || this.closed) return;
    this.attached = true;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      const connection = this.connection;
      connection.replyWaiting(-this.waitingBytes);
      this.waitingBytes = 0;
      connection.cork();
      const lastIndex = waiting.length - 1;
      if (!this.ended) this.unconfirmed++;
      for (let i = 0; i <= lastIndex; i++)
        connection.write(
          waiting[i] as Buffer,
          undefined,
          i < lastIndex ? undefined : this.ended ? this.onWritten : this.batchWrittenListener(),
        );
      connection.uncork();
    } else if (this.ended) process.nextTick(this.onWritten);
    if (this.wantsDrain) this.onDrain();
  }

  /** Closes the client connection at once (Node's `response.destroy()` destroys the socket). */
  destroy(): this {
    this.connection.destroy();
    return this;
  }

  /** @internal The connection is gone: a reply not yet finished hears `close`. */
  onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.writableFinished) return;
    const listener = this.onClose;
    this.onClose = undefined;
    listener?.();
  }

  /** @internal The tunnel took what was waiting. */
  onDrain(): void {
    this.wantsDrain = false;
    const one = this.onDrainOne;
    const more = this.onDrainMore;
    this.onDrainOne = undefined;
    this.onDrainMore = undefined;
    one?.();
    if (more) for (const listener of more) listener();
  }

  private writeHeadNow(): void {
    this.headWritten = true;
    this.put(this.head as Buffer, undefined, undefined);
  }

  /** To the tunnel when it is this reply's turn, else kept (the callback then waits for `attach`). */
  private put(data: string | Buffer, encoding: BufferEncoding | undefined, done: (() => void) | undefined): boolean {
    if (this.attached) return this.connection.write(data, encoding, done);
    if (this.closed) return true;
    const buffer = typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data;
    if (this.waiting === undefined) this.waiting = [buffer];
    else this.waiting.push(buffer);
    this.waitingBytes += buffer.length;
    this.connection.replyWaiting(buffer.length);
    return this.waitingBytes < HIGH_WATER_BYTES;
  }

  /** Made on the first body write before `end`: a reply written whole by `end` needs none. */
  private batchWrittenListener(): () => void {
    this.onBatchWritten ??= () => {
      this.unconfirmed--;
      if (this.unconfirmed === 0 && this.finishOnConfirm) this.onWritten();
    };
    return this.onBatchWritten;
  }

  private readonly onWritten = (): void => {
    if (this.writableFinished) return;
    this.writableFinished = true;
    this.connection.replyFinished(this);
    const listener = this.onFinish;
    this.onFinish = undefined;
    listener?.();
  };
}

/** Up to this, a body ending a reply is copied behind its head (a copy costs less than a batched write). */
const JOIN_BODY_BYTES = 16 * 1024;

function joined(head: Buffer, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  head.copy(out, 0);
  body.copy(out, head.length);
  return out;
}

function checkedValue(name: string, value: string | number): string {
  const text = typeof value === 'string' ? value : String(value);
  if (_checkInvalidHeaderChar(text))
    throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
  return text;
}

function line(name: string, value: string | number): string {
  return `${name}: ${checkedValue(name, value)}\r\n`;
}

function trailerLines(trailers: OutgoingHttpHeaders): string {
  let text = '';
  for (const name in trailers) {
    const value = trailers[name];
    if (value === undefined) continue;
    if (!_checkIsHttpToken(name)) throw new InvalidReplyHeaderError(`Trailer name must be a valid HTTP token ["${name}"]`);
    if (typeof value === 'object') for (const one of value) text += line(name, one);
    else text += line(name, value);
  }
  return text;
}
