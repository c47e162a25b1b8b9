/**
 * One keep-alive HTTP/1.1 connection to an endpoint (over an HBONE stream or TCP), one request at a
 * time: the request head is written as one string, the body as-is or chunked, and the response is
 * read by llhttp — the parser under Node's own http client, strict as Node runs it — so framing
 * conflicts (Content-Length with Transfer-Encoding, bad chunk sizes) and invalid header bytes end
 * the connection as they would there. No http.Agent or ClientRequest per request.
 */
import { _checkInvalidHeaderChar, _checkIsHttpToken, type HTTPParser } from 'node:_http_common';
import type { Duplex } from 'node:stream';
import type { HeaderRecord } from '@ambit/shared/routing';
import { responseHeaderRecordOf } from './http-headers';
import { headBuilder } from './http1-head';
import { strictHttpParser } from './strict-http-parser';

/** How the request body is framed upstream. */
export type BodyFraming = 'none' | 'length' | 'chunked';

/** What a connection reports about the response to the request it carries. */
export interface Http1ResponseListener {
  onHead(status: number, headers: HeaderRecord): void;
  onData(chunk: Buffer): void;
  /** The response is complete; `last` is its final body piece when it came with the end (one write downstream instead of two). */
  onEnd(trailers: HeaderRecord | undefined, last: Buffer | undefined): void;
  /** The connection failed (reset, closed early, unparsable answer), before or after the head. */
  onFail(error: Error): void;
}

/** Where a connection goes back when its exchange is over. */
export interface ConnectionOwner {
  /** A finished connection that may carry another request. */
  reuse(connection: Http1Connection): void;
  /** A connection that is gone. */
  forget(connection: Http1Connection): void;
}

// Envoy's and Node's default limit on a response head.
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';
// Node's ClientRequest sends `content-length: 0` when these end without a body; other methods send nothing.
const BODILESS_BY_DEFAULT = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
// Headers this connection writes itself, from its own arguments.
const FRAMED_HERE = new Set(['host', 'content-length', 'transfer-encoding']);
const DECIMAL = /^\d{1,15}$/;
// Node's own check on a request target: no spaces or control characters.
const INVALID_PATH = /[^\u0021-\u00ff]/;
// A discarded answer (a retried 5xx) is read to its end to keep the connection, but no further than this.
export const DISCARD_LIMITS = Object.freeze({ bytes: 64 * 1024, ms: 1_000 });

export class InvalidRequestHeadError extends Error {
  readonly code = 'ERR_INVALID_UPSTREAM_HEAD';
}

export class Http1Connection {
  /** When it went back to the pool; for the idle sweep. */
  idleSince = 0;
  private readonly parser: HTTPParser;
  private listener: Http1ResponseListener | undefined;
  /** A request is out and its response not complete. */
  private busy = false;
  private headRequest = false;
  private chunked = false;
  /** Body bytes still owed under a Content-Length (framing `length`). */
  private owed = 0;
  private requestEnded = false;
  private informational = false;
  private keepAlive = false;
  private pendingHeaders: string[] = [];
  /** The latest body piece of this read, held until the read is parsed so that a last piece goes out with the end. */
  private held: Buffer | undefined;
  private executing = false;
  private closed = false;
  /** Body bytes a discarded answer may still take before the connection is given up. */
  private discardBudget = 0;
  private discardTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: object,
    private readonly transport: Duplex,
    private readonly owner: ConnectionOwner,
    private readonly discardLimits: { readonly bytes: number; readonly ms: number } = DISCARD_LIMITS,
  ) {
    this.parser = strictHttpParser('response', MAX_HEADER_BYTES, {
      onHeaders: this.onHeaders,
      onHeadersComplete: this.onHeadersComplete,
      onBody: this.onBody,
      onMessageComplete: this.onMessageComplete,
    });
    transport.on('data', this.onTransportData);
    transport.on('end', this.onTransportEnd);
    transport.on('error', this.onTransportError);
    transport.on('close', this.onTransportClose);
  }

  get destroyed(): boolean {
    return this.closed;
  }

  /**
   * Writes the request head; the body follows with `write` and `end` (`none`: nothing follows).
   * Throws InvalidRequestHeadError, writing nothing, when a header or the path cannot be sent.
   */
  send(method: string, path: string, host: string, headers: HeaderRecord, framing: BodyFraming, listener: Http1ResponseListener): void {
    if (INVALID_PATH.test(path)) throw new InvalidRequestHeadError(`the request path cannot be sent: ${JSON.stringify(path)}`);
    let owed = 0;
    if (framing === 'length') {
      const declared = headers['content-length'];
      if (typeof declared !== 'string' || !DECIMAL.test(declared))
        throw new InvalidRequestHeadError(`invalid content-length ${JSON.stringify(declared)}`);
      owed = Number(declared);
    }
    const head = headBuilder.start(method).add(' ').add(path).add(' HTTP/1.1\r\n').line('host', checkedValue('host', host));
    for (const name in headers) {
      const value = headers[name];
      // Host is the one above; the body's framing is this connection's alone.
      if (value === undefined || FRAMED_HERE.has(name)) continue;
      if (!_checkIsHttpToken(name)) throw new InvalidRequestHeadError(`invalid header name ${JSON.stringify(name)}`);
      if (typeof value === 'string') head.line(name, checkedValue(name, value));
      else for (const one of value) head.line(name, checkedValue(name, one));
    }
    if (framing === 'length') head.line('content-length', String(owed));
    else if (framing === 'chunked') head.add('transfer-encoding: chunked\r\n');
    else if (framing === 'none' && !BODILESS_BY_DEFAULT.has(method)) head.add('content-length: 0\r\n');
    this.listener = listener;
    this.busy = true;
    this.headRequest = method === 'HEAD';
    this.chunked = framing === 'chunked';
    this.owed = owed;
    this.requestEnded = framing === 'none';
    this.transport.write(head.finish());
  }

  /** A piece of the request body; false when the caller should wait for `drain`. */
  write(chunk: Buffer): boolean {
    if (this.closed || this.requestEnded || chunk.length === 0) return true;
    const transport = this.transport;
    if (!this.chunked) {
      // More than the Content-Length said would be read upstream as the start of another request.
      if (chunk.length > this.owed) {
        this.fail(new InvalidRequestHeadError('the request body is longer than its content-length'));
        return true;
      }
      this.owed -= chunk.length;
      return transport.write(chunk);
    }
    transport.cork();
    transport.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
    transport.write(chunk);
    const more = transport.write(CRLF, 'latin1');
    transport.uncork();
    return more;
  }

  end(): void {
    if (this.closed || this.requestEnded) return;
    this.requestEnded = true;
    if (this.chunked) this.transport.write(LAST_CHUNK, 'latin1');
    // A body shorter than its Content-Length leaves the upstream waiting for bytes that will not come.
    else if (this.owed > 0) this.fail(new InvalidRequestHeadError('the request body is shorter than its content-length'));
  }

  once(event: 'drain', listener: () => void): this {
    this.transport.once(event, listener);
    return this;
  }

  pause(): void {
    this.transport.pause();
  }

  resume(): void {
    this.transport.resume();
  }

  /**
   * The rest of this response is not wanted: read and drop it, then reuse the connection. An answer
   * whose rest is longer than the discard limit, or does not end within its time, closes the connection.
   */
  discard(): void {
    this.listener = undefined;
    this.held = undefined;
    if (this.closed) return;
    if (this.busy && this.discardTimer === undefined) {
      this.discardBudget = this.discardLimits.bytes;
      this.discardTimer = setTimeout(this.onDiscardTimeout, this.discardLimits.ms);
    }
    this.transport.resume();
  }

  /** Closes the connection without telling the listener. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener = undefined;
    this.held = undefined;
    this.busy = false;
    this.stopDiscarding();
    this.transport.off('data', this.onTransportData);
    // A peer that closed cleanly gets a clean close back; anything else is reset.
    if (this.transport.readableEnded) this.transport.end();
    else this.transport.destroy();
    if (!this.executing) this.parser.close();
    this.owner.forget(this);
  }

  private stopDiscarding(): void {
    if (this.discardTimer === undefined) return;
    clearTimeout(this.discardTimer);
    this.discardTimer = undefined;
  }

  private readonly onDiscardTimeout = (): void => {
    this.discardTimer = undefined;
    this.destroy();
  };

  private fail(error: Error): void {
    const listener = this.listener;
    this.destroy();
    listener?.onFail(error);
  }

  private readonly onTransportData = (chunk: Buffer): void => {
    this.executing = true;
    const result = this.parser.execute(chunk);
    this.executing = false;
    if (this.closed) {
      this.parser.close();
      return;
    }
    if (typeof result !== 'number') this.fail(upstreamParseError(result));
    else this.releaseHeld();
  };

  private releaseHeld(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.listener?.onData(held);
  }

  private readonly onTransportEnd = (): void => {
    if (this.closed) return;
    if (this.busy) {
      // A body delimited by the connection's close ends here.
      this.executing = true;
      const result = this.parser.finish();
      this.executing = false;
      if (this.closed) {
        this.parser.close();
        return;
      }
      if (result) {
        this.fail(upstreamParseError(result));
        return;
      }
    }
    if (this.busy) this.fail(new Error('the upstream connection closed before the response was complete'));
    else this.destroy();
  };

  private readonly onTransportError = (error: Error): void => {
    this.fail(error);
  };

  private readonly onTransportClose = (): void => {
    if (!this.closed) this.fail(new Error('the upstream connection closed'));
  };

  private readonly onHeaders = (headers: string[]): void => {
    for (const item of headers) this.pendingHeaders.push(item);
  };

  private readonly onHeadersComplete = (
    _versionMajor: number,
    _versionMinor: number,
    headers: string[] | undefined,
    _method: unknown,
    _url: unknown,
    status: number,
    _statusMessage: string,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number => {
    if (this.closed) return 1;
    let raw = headers;
    if (raw === undefined) {
      raw = this.pendingHeaders;
      this.pendingHeaders = [];
    }
    if (!this.busy || upgrade || status === 101) {
      this.fail(new Error(this.busy ? `the upstream answered ${status} to switch protocols` : 'the upstream answered no request'));
      return 1;
    }
    // 1xx answers are interim: the real one follows on the same connection.
    if (status < 200) {
      this.informational = true;
      return 0;
    }
    this.keepAlive = shouldKeepAlive;
    this.listener?.onHead(status, responseHeaderRecordOf(raw));
    return this.headRequest ? 1 : 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    if (this.discardTimer !== undefined) {
      this.discardBudget -= chunk.length;
      if (this.discardBudget < 0) this.destroy();
      return;
    }
    if (this.closed || !this.listener) return;
    this.releaseHeld();
    this.held = chunk;
  };

  private readonly onMessageComplete = (): void => {
    if (this.closed) return;
    if (this.informational) {
      this.informational = false;
      this.pendingHeaders = [];
      return;
    }
    let trailers: HeaderRecord | undefined;
    if (this.pendingHeaders.length > 0) {
      trailers = responseHeaderRecordOf(this.pendingHeaders);
      this.pendingHeaders = [];
    }
    this.stopDiscarding();
    const listener = this.listener;
    this.listener = undefined;
    this.busy = false;
    const last = this.held;
    this.held = undefined;
    listener?.onEnd(trailers, last);
    if (this.closed) return;
    // Answered before the whole body was sent, the rest could not be told from the next request.
    if (!this.keepAlive || !this.requestEnded || !this.transport.writable) {
      this.destroy();
      return;
    }
    // The exchange may have paused it for back-pressure while this last chunk was parsed.
    this.transport.resume();
    this.owner.reuse(this);
  };
}

function checkedValue(name: string, value: string): string {
  if (_checkInvalidHeaderChar(value)) throw new InvalidRequestHeadError(`invalid character in the value of header ${name}`);
  return value;
}

function upstreamParseError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code ?? 'HPE_ERROR';
  const reason = (error as Error & { reason?: string }).reason ?? error.message;
  return Object.assign(new Error(`unparsable upstream response (${code}): ${reason}`), { code });
}
