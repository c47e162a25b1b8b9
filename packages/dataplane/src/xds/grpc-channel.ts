// A minimal gRPC client over node:http2 for the two calls the proxies make to the control plane
// (the ADS stream and CreateCertificate): gRPC's length-prefixed framing, `application/grpc`,
// `te: trailers`, grpc-status/grpc-message from trailers (or a trailers-only response), metadata
// as headers, deadlines as grpc-timeout plus a local timer, and HTTP/2 keepalive pings so a
// control plane that vanished without closing the connection is noticed. No @grpc/grpc-js in the
// proxies: it alone was ~13 MB of a ztunnel's RSS.
import http2 from 'node:http2';

/** google.rpc.Code values the proxies tell apart. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAUTHENTICATED: 16,
} as const;

const CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/** `UNAVAILABLE`, or the number for codes gRPC does not name. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? String(code);
}

export interface GrpcStatus {
  code: number;
  details: string;
}

/** TLS towards the control plane; absent: plaintext (h2c). */
export interface GrpcTls {
  /** Roots the server's chain must lead to; default Node's bundled roots. */
  ca?: Buffer;
  /** SNI and the name the certificate must carry, when it differs from the address' host. */
  servername?: string;
}

export interface GrpcChannelOptions {
  /** `host:port`. */
  address: string;
  tls?: GrpcTls;
  /** Ping the server this often while a call is open; 0 disables. Default 30 s. */
  keepaliveTimeMs?: number;
  /** Give up the connection when a ping is not answered within this; default 10 s. */
  keepaliveTimeoutMs?: number;
  /** Largest message accepted; default 64 MiB (a full workload view of a large mesh outgrows gRPC's usual 4 MiB). */
  maxReceiveMessageBytes?: number;
}

export interface GrpcCallHandlers {
  /** One whole message (the 5-byte prefix removed). */
  onMessage(message: Buffer): void;
  /** Exactly once, when the call is over for whatever reason. */
  onEnd(status: GrpcStatus): void;
}

const DEFAULT_KEEPALIVE_MS = 30_000;
const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;
const PREFIX_BYTES = 5;
/** The longest delay setTimeout honours (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/** HTTP status → gRPC code, for answers that are not gRPC (a proxy in between, a wrong port): gRPC's documented mapping. */
function codeForHttpStatus(status: number): number {
  if (status === 400) return GrpcCode.INTERNAL;
  if (status === 401) return GrpcCode.UNAUTHENTICATED;
  if (status === 403) return GrpcCode.PERMISSION_DENIED;
  if (status === 404) return GrpcCode.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return GrpcCode.UNAVAILABLE;
  return GrpcCode.UNKNOWN;
}

/** The largest TimeoutValue: the gRPC HTTP/2 spec allows at most 8 digits. */
const MAX_TIMEOUT_VALUE = 99_999_999;
/** grpc-timeout units from the finest this client uses, with their length in milliseconds. */
const TIMEOUT_UNITS = [
  ['m', 1],
  ['S', 1_000],
  ['M', 60_000],
  ['H', 3_600_000],
] as const;

/**
 * The `grpc-timeout` value for a deadline `ms` from now: the finest unit whose count fits in 8 digits, rounded up
 * (the local timer ends the call at the exact deadline; the server must not give up first). At least `1m`.
 */
export function encodeGrpcTimeout(ms: number): string {
  const wanted = Math.max(1, ms);
  for (const [unit, unitMs] of TIMEOUT_UNITS) {
    const count = Math.ceil(wanted / unitMs);
    if (count <= MAX_TIMEOUT_VALUE) return `${count}${unit}`;
  }
  // Beyond 11,000 years (or no deadline at all, Infinity): the longest timeout the header can say.
  return `${MAX_TIMEOUT_VALUE}H`;
}

/** grpc-message is percent-encoded. */
function decodeGrpcMessage(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** One HTTP/2 connection to the control plane; calls share it. Closed for good by close() or by a connection failure. */
export class GrpcChannel {
  readonly address: string;
  private readonly session: http2.ClientHttp2Session;
  private readonly authority: string;
  private readonly maxMessage: number;
  private readonly calls = new Set<GrpcCall>();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private closedFlag = false;

  constructor(options: GrpcChannelOptions) {
    this.address = options.address;
    this.maxMessage = options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE;
    const tls = options.tls;
    this.authority = tls?.servername ?? options.address;
    const url = `${tls ? 'https' : 'http'}://${options.address}`;
    this.session = http2.connect(url, {
      ...(tls ? { ca: tls.ca, servername: tls.servername, ALPNProtocols: ['h2'] } : {}),
      // The control plane never pushes.
      settings: { enablePush: false },
    });
    this.session.on('error', (error: Error) => this.fail(error.message));
    this.session.on('goaway', () => {
      // Calls in flight finish; new ones fail fast and the owner reconnects.
      this.failure ??= 'the control plane closed the connection (GOAWAY)';
    });
    this.session.on('close', () => this.fail('the connection to the control plane closed'));
    // An idle channel must not keep the process alive.
    this.session.unref();
    const keepaliveMs = options.keepaliveTimeMs ?? DEFAULT_KEEPALIVE_MS;
    if (keepaliveMs > 0) {
      const timeoutMs = options.keepaliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS;
      this.keepaliveTimer = setInterval(() => this.ping(timeoutMs), keepaliveMs);
      this.keepaliveTimer.unref();
    }
  }

  get closed(): boolean {
    return this.closedFlag || this.failure !== undefined;
  }

  /** Starts a call; `handlers.onEnd` reports its end (at once, on a next tick, when the channel is closed). */
  call(path: string, metadata: Readonly<Record<string, string>>, handlers: GrpcCallHandlers, deadline?: number): GrpcCall {
    const call = new GrpcCall(this, handlers, this.maxMessage);
    if (this.closed) {
      const details = this.failure ?? 'the channel is closed';
      process.nextTick(() => call.end({ code: GrpcCode.UNAVAILABLE, details }));
      return call;
    }
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      ':authority': this.authority,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'ambit-proxy',
      ...metadata,
    };
    if (deadline !== undefined) headers['grpc-timeout'] = encodeGrpcTimeout(deadline - Date.now());
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.session.request(headers, { endStream: false });
    } catch (error) {
      const details = error instanceof Error ? error.message : String(error);
      process.nextTick(() => call.end({ code: GrpcCode.UNAVAILABLE, details }));
      return call;
    }
    this.calls.add(call);
    this.session.ref();
    call.attach(stream, deadline);
    return call;
  }

  /** Ends every call (CANCELLED) and the connection. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearInterval(this.keepaliveTimer);
    for (const call of [...this.calls]) call.cancel();
    this.session.close();
    // A server that never answers the GOAWAY must not hold the socket open.
    setTimeout(() => this.session.destroy(), 1_000).unref();
  }

  /** @internal A call is over. */
  released(call: GrpcCall): void {
    this.calls.delete(call);
    if (this.calls.size === 0 && !this.session.destroyed) this.session.unref();
  }

  private ping(timeoutMs: number): void {
    // Only while a call is open, as gRPC clients do (servers penalize idle pings).
    if (this.calls.size === 0 || this.closed) return;
    const timer = setTimeout(() => {
      this.fail(`the control plane did not answer a keepalive ping within ${timeoutMs} ms`);
      this.session.destroy();
    }, timeoutMs);
    timer.unref();
    try {
      this.session.ping((error) => {
        clearTimeout(timer);
        if (error && !this.closed) {
          this.fail(`keepalive ping failed: ${error.message}`);
          this.session.destroy();
        }
      });
    } catch {
      // Too many pings outstanding: the earlier one's timer decides.
      clearTimeout(timer);
    }
  }

  private fail(reason: string): void {
    if (this.failure === undefined) this.failure = reason;
    clearInterval(this.keepaliveTimer);
    const status = { code: GrpcCode.UNAVAILABLE, details: this.failure };
    for (const call of [...this.calls]) call.end(status);
  }
}

/** One call: write messages, cancel, and learn its end through the handlers. */
export class GrpcCall {
  private stream: http2.ClientHttp2Stream | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private ended = false;
  /** The first bytes of a length prefix split across DATA chunks (fewer than five). */
  private pending: Buffer | undefined;
  /** The frame (prefix included) of a message that spans DATA chunks, allocated once its length is known. */
  private partial: Buffer | undefined;
  private partialFilled = 0;
  private responseStatus = 0;
  private headerStatus: GrpcStatus | undefined;
  private trailerStatus: GrpcStatus | undefined;

  constructor(
    private readonly channel: GrpcChannel,
    private readonly handlers: GrpcCallHandlers,
    private readonly maxMessage: number,
  ) {}

  /** Sends one message. */
  write(message: Uint8Array): void {
    const stream = this.stream;
    if (!stream || this.ended || stream.destroyed) return;
    const framed = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
    framed[0] = 0;
    framed.writeUInt32BE(message.length, 1);
    framed.set(message, PREFIX_BYTES);
    stream.write(framed);
  }

  /** Half-closes: no more messages from this side. */
  finish(): void {
    if (this.stream && !this.ended && !this.stream.destroyed) this.stream.end();
  }

  /** Ends the call from this side (CANCELLED). */
  cancel(): void {
    this.end({ code: GrpcCode.CANCELLED, details: 'cancelled by the client' });
  }

  /** @internal */
  attach(stream: http2.ClientHttp2Stream, deadline: number | undefined): void {
    this.stream = stream;
    if (deadline !== undefined) this.armDeadline(deadline);
    stream.on('response', (headers) => {
      this.responseStatus = Number(headers[':status']);
      // A trailers-only response (an immediate error) carries grpc-status in its headers.
      if (headers['grpc-status'] !== undefined) this.headerStatus = statusOf(headers);
    });
    stream.on('trailers', (trailers) => {
      this.trailerStatus = statusOf(trailers);
    });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // The server's END_STREAM (trailers) ends the call, though this side has not ended its own.
    stream.on('end', () => this.end(this.finalStatus(stream), true));
    stream.on('error', () => undefined); // 'close' reports the outcome.
    stream.on('close', () => {
      if (this.responseStatus !== 0) {
        this.end(this.finalStatus(stream));
        return;
      }
      // No answer at all: the connection's own error (refused, TLS) says why, and is reported just after the stream's close.
      setImmediate(() => this.end(this.finalStatus(stream)));
    });
  }

  private armDeadline(deadline: number): void {
    // No deadline at all: nothing to arm (a timer would re-arm every 24.8 days for the call's life).
    if (!Number.isFinite(deadline)) return;
    const remaining = deadline - Date.now();
    // Node fires a longer timer at once (~24.8 days overflow it), so a far deadline is reached in steps.
    if (remaining > MAX_TIMER_MS) {
      this.deadlineTimer = setTimeout(() => this.armDeadline(deadline), MAX_TIMER_MS);
      return;
    }
    this.deadlineTimer = setTimeout(() => this.end({ code: GrpcCode.DEADLINE_EXCEEDED, details: 'deadline exceeded' }), remaining);
  }

  /** @internal Reports the end once and releases everything; `byServer` when the server completed the call. */
  end(status: GrpcStatus, byServer = false): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.deadlineTimer);
    this.pending = undefined;
    this.partial = undefined;
    const stream = this.stream;
    if (stream && !stream.closed) stream.close(byServer ? http2.constants.NGHTTP2_NO_ERROR : http2.constants.NGHTTP2_CANCEL);
    this.channel.released(this);
    this.handlers.onEnd(status);
  }

  private finalStatus(stream: http2.ClientHttp2Stream): GrpcStatus {
    const status = this.trailerStatus ?? this.headerStatus;
    if (status?.code === GrpcCode.OK) return this.truncation() ?? status;
    if (status) return status;
    if (this.responseStatus !== 0 && this.responseStatus !== 200) {
      return { code: codeForHttpStatus(this.responseStatus), details: `the server answered HTTP ${this.responseStatus}, not gRPC` };
    }
    const rst = stream.rstCode;
    if (rst === http2.constants.NGHTTP2_REFUSED_STREAM) return { code: GrpcCode.UNAVAILABLE, details: 'the server refused the stream' };
    if (rst === http2.constants.NGHTTP2_CANCEL) return { code: GrpcCode.CANCELLED, details: 'the server cancelled the call' };
    if (rst === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)
      return { code: GrpcCode.RESOURCE_EXHAUSTED, details: 'the server asked to calm down' };
    if (rst !== undefined && rst !== http2.constants.NGHTTP2_NO_ERROR) {
      return { code: GrpcCode.INTERNAL, details: `the stream was reset (HTTP/2 error ${rst})` };
    }
    return { code: GrpcCode.UNAVAILABLE, details: 'the call ended without a status' };
  }

  /** A message cut short by the end of the stream: an error even under grpc-status OK (grpc-java: INTERNAL, "end-of-stream mid-frame"). */
  private truncation(): GrpcStatus | undefined {
    const partial = this.partial;
    if (partial) {
      const missing = partial.length - this.partialFilled;
      return {
        code: GrpcCode.INTERNAL,
        details: `the stream ended ${missing} bytes short of a ${partial.length - PREFIX_BYTES}-byte message`,
      };
    }
    const pending = this.pending;
    if (!pending) return undefined;
    return {
      code: GrpcCode.INTERNAL,
      details: `the stream ended inside a message's length prefix (${pending.length} of ${PREFIX_BYTES} bytes)`,
    };
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    const partial = this.partial;
    if (partial) {
      // A message larger than one DATA frame: filled in place, so a big view costs one copy, not one per chunk.
      const take = Math.min(partial.length - this.partialFilled, data.length);
      data.copy(partial, this.partialFilled, 0, take);
      this.partialFilled += take;
      if (this.partialFilled < partial.length) return;
      this.partial = undefined;
      this.partialFilled = 0;
      this.handlers.onMessage(partial.subarray(PREFIX_BYTES));
      data = data.subarray(take);
    } else if (this.pending) {
      // Only ever a few bytes of a length prefix.
      data = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    while (!this.ended) {
      if (data.length < PREFIX_BYTES) break;
      const length = data.readUInt32BE(1);
      if (data[0] !== 0) {
        this.end({ code: GrpcCode.INTERNAL, details: 'the server sent a compressed message; none was negotiated' });
        return;
      }
      if (length > this.maxMessage) {
        this.end({ code: GrpcCode.RESOURCE_EXHAUSTED, details: `a message of ${length} bytes exceeds the ${this.maxMessage}-byte limit` });
        return;
      }
      if (data.length < PREFIX_BYTES + length) {
        this.partial = Buffer.allocUnsafe(PREFIX_BYTES + length);
        this.partialFilled = data.copy(this.partial);
        return;
      }
      this.handlers.onMessage(data.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
      data = data.subarray(PREFIX_BYTES + length);
    }
    if (data.length > 0 && !this.ended) this.pending = data;
  }
}

function statusOf(headers: http2.IncomingHttpHeaders): GrpcStatus {
  const code = Number(headers['grpc-status']);
  return { code: Number.isInteger(code) ? code : GrpcCode.UNKNOWN, details: decodeGrpcMessage(headers['grpc-message']) };
}

/** One request, one response: resolves with the response message, rejects with a GrpcCallError. */
export function unaryCall(
  channel: GrpcChannel,
  path: string,
  metadata: Readonly<Record<string, string>>,
  request: Uint8Array,
  deadline: number,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let response: Buffer | undefined;
    const call = channel.call(
      path,
      metadata,
      {
        onMessage(message) {
          // Copied: the chunk it came in is not ours to keep.
          response = Buffer.from(message);
        },
        onEnd(status) {
          if (status.code !== GrpcCode.OK) reject(new GrpcCallError(status));
          else if (!response) reject(new GrpcCallError({ code: GrpcCode.INTERNAL, details: 'the server sent no response message' }));
          else resolve(response);
        },
      },
      deadline,
    );
    call.write(request);
    call.finish();
  });
}

export class GrpcCallError extends Error {
  readonly code: number;
  readonly details: string;

  constructor(status: GrpcStatus) {
    super(`${grpcCodeName(status.code)}: ${status.details}`);
    this.name = 'GrpcCallError';
    this.code = status.code;
    this.details = status.details;
  }
}
