// One ADS stream: what the proxy subscribed to, what it was sent and acknowledged per type, and a
// bounded writer. A proxy that stops reading holds at most a few responses in memory: further
// changes only mark their type dirty (coalesced to the latest state), and a stream that makes no
// write progress for `stallTimeoutMs` is reset.
import http2 from 'node:http2';
import type { ErrorDetail } from '@ambit/shared/xds';
import { pushOrder, shortTypeName } from '@ambit/shared/xds';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { XdsMetrics } from './metrics';
import type { ProxyInfo, ProxyKind } from './proxy-info';
import type { VersionedResource } from './resource-source';

export type Transport = 'sotw' | 'delta';

export interface StreamLimits {
  /** Responses written but not yet flushed to the socket before the stream waits. Default 8. */
  maxInFlightMessages: number;
  /** Bytes written but not yet flushed before the stream waits (one response always goes). Default 16 MiB. */
  maxInFlightBytes: number;
  /** A stream with unflushed responses and no write progress for this long is reset. Default 30 s. */
  stallTimeoutMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxInFlightMessages: 8, maxInFlightBytes: 16 * 1024 * 1024, stallTimeoutMs: 30_000 };

/** What a connection needs from the discovery server that owns it. */
export interface ConnectionHost {
  readonly logger: Logger;
  readonly metrics: XdsMetrics;
  readonly limits: StreamLimits;
  readonly controlPlaneId: string;
  /** The proxy's current view of a type, or undefined when the source failed (keep what was sent). */
  view(connection: AdsConnection, typeUrl: string): ReadonlyMap<string, VersionedResource> | undefined;
  /** version_info / system_version_info for a response built now. */
  versionInfo(): string;
  nextNonce(): string;
  onClosed(connection: AdsConnection): void;
}

export interface SentResponse {
  readonly nonce: string;
  readonly version: string;
  readonly sentAt: number;
  /** When the change that caused it happened; undefined for answers to requests. */
  readonly trigger: number | undefined;
}

export interface NackRecord {
  readonly message: string;
  readonly nonce: string;
  readonly version: string;
  readonly at: number;
}

/** Subscription and acknowledgement state of one type on one stream. */
export class TypeState {
  wildcard = false;
  readonly names = new Set<string>();
  /** Resource name → version the proxy holds, as far as the server knows (sent, or declared on reconnect). */
  readonly known = new Map<string, string>();
  /** Resource name → what this stream last sent of it (for config dumps); shares the view's objects, so it costs a reference each. */
  readonly sent = new Map<string, VersionedResource>();
  /** Whether a request for this type has been seen. */
  requested = false;
  /** Answer the next flush even if nothing changed (first request, new subscription). */
  mustRespond = false;
  /** Sent and not yet ACKed or NACKed, in send order. */
  readonly pending = new Map<string, SentResponse>();
  lastSent: SentResponse | undefined;
  lastAck: { readonly version: string; readonly nonce: string; readonly at: number } | undefined;
  lastNack: NackRecord | undefined;
  responses = 0;
  acks = 0;
  nacks = 0;

  constructor(readonly typeUrl: string) {}

  subscribes(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /** Forgets resources the proxy no longer subscribes to. */
  pruneKnown(): void {
    if (this.wildcard) return;
    for (const name of this.known.keys()) if (!this.names.has(name)) this.known.delete(name);
    for (const name of this.sent.keys()) if (!this.names.has(name)) this.sent.delete(name);
  }

  /** Records that `entry` was sent as `name`. */
  remember(name: string, entry: VersionedResource): void {
    this.known.set(name, entry.version);
    this.sent.set(name, entry);
  }

  forget(name: string): void {
    this.known.delete(name);
    this.sent.delete(name);
  }
}

export interface TypeStatus {
  typeUrl: string;
  /** Short name: lds, rds, cds, eds, wds, wads, or the URL. */
  type: string;
  wildcard: boolean;
  /** Explicitly subscribed names. */
  resourceNames: string[];
  /** Resources the proxy holds, as far as the server knows. */
  resourceCount: number;
  versionSent?: string;
  versionAcked?: string;
  lastNonce?: string;
  lastSentAt?: number;
  lastAckAt?: number;
  lastNack?: NackRecord;
  /** Oldest response sent and not yet answered; `ageMs` is how stale the proxy may be. */
  pending?: { nonce: string; version: string; since: number; ageMs: number };
  responses: number;
  acks: number;
  nacks: number;
}

/** One connected stream, for `proxy-status`. Times are Date.now() milliseconds. */
export interface ProxyStatus {
  connectionId: string;
  id: string;
  kind: ProxyKind;
  nodeName?: string;
  proxy: ProxyInfo;
  transport: Transport;
  peer: string;
  connectedAt: number;
  types: TypeStatus[];
  /** Responses handed to gRPC and not yet flushed. */
  writesInFlight: number;
  /** Types with changes waiting for the stream to drain. */
  typesQueued: number;
}

// grpc-js has no public way to reset one server stream; reach the HTTP/2 stream it wraps.
function resetHttp2Stream(call: ServerDuplexStream<unknown, Buffer>): boolean {
  type Inner = { stream?: http2.Http2Stream; nextCall?: Inner };
  let inner = (call as unknown as { call?: Inner }).call;
  for (let depth = 0; inner && !inner.stream && depth < 8; depth++) inner = inner.nextCall;
  const stream = inner?.stream;
  if (!stream || stream.destroyed) return false;
  stream.close(http2.constants.NGHTTP2_CANCEL);
  return true;
}

export abstract class AdsConnection {
  readonly connectedAt = Date.now();
  /** View key per type, filled by the discovery server. */
  readonly viewKeys = new Map<string, string>();
  protected readonly types = new Map<string, TypeState>();
  /** Types waiting to be sent → earliest change time behind them. */
  private readonly dirty = new Map<string, number | undefined>();
  private readonly inFlightSizes: number[] = [];
  private inFlightBytes = 0;
  private needDrain = false;
  private lastProgressAt = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private pendingTotal = 0;
  private convergenceStart: number | undefined;
  private flushing = false;
  private closed = false;

  constructor(
    readonly connectionId: string,
    readonly transport: Transport,
    readonly proxy: ProxyInfo,
    readonly peer: string,
    protected readonly call: ServerDuplexStream<unknown, Buffer>,
    protected readonly host: ConnectionHost,
  ) {
    call.on('drain', this.onDrain);
  }

  /** Builds the response for one dirty type, or undefined when there is nothing to say. */
  protected abstract buildResponse(state: TypeState, trigger: number | undefined): Buffer | undefined;

  /** Whether this stream has asked for a type (and so gets pushes of it). */
  watches(typeUrl: string): boolean {
    return this.types.get(typeUrl)?.requested === true;
  }

  markDirty(typeUrl: string, trigger?: number): void {
    if (this.closed) return;
    const previous = this.dirty.get(typeUrl);
    this.dirty.set(typeUrl, previous === undefined ? trigger : trigger === undefined ? previous : Math.min(previous, trigger));
  }

  /** Sends dirty types, in push order, while the stream accepts writes. */
  flush(): void {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      while (this.dirty.size > 0 && this.canWrite()) {
        const typeUrl = this.nextDirtyType();
        const trigger = this.dirty.get(typeUrl);
        this.dirty.delete(typeUrl);
        const state = this.types.get(typeUrl);
        if (!state) continue;
        const started = performance.now();
        let frame: Buffer | undefined;
        try {
          frame = this.buildResponse(state, trigger);
        } catch (error) {
          // A resource that cannot be encoded must not take the push loop (or the process) down.
          this.host.logger.error(
            { err: error, proxy: this.proxy.id, typeUrl },
            'failed to build an xDS response; the proxy keeps what it has',
          );
          continue;
        }
        if (!frame) continue;
        this.write(frame);
        const type = shortTypeName(typeUrl);
        this.host.metrics.pushes.inc({ type });
        this.host.metrics.pushTime.observe((performance.now() - started) / 1000, { type });
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Stops tracking this stream; the caller ends or resets the gRPC call. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
    this.dirty.clear();
    this.call.off('drain', this.onDrain);
    this.host.onClosed(this);
  }

  /** Closes and resets the stream so its buffered responses are released. */
  abort(): void {
    this.close();
    if (!resetHttp2Stream(this.call)) this.call.destroy();
  }

  status(now = Date.now()): ProxyStatus {
    const types: TypeStatus[] = [];
    for (const state of this.types.values()) {
      const oldest = state.pending.values().next().value;
      types.push({
        typeUrl: state.typeUrl,
        type: shortTypeName(state.typeUrl),
        wildcard: state.wildcard,
        resourceNames: [...state.names],
        resourceCount: state.known.size,
        versionSent: state.lastSent?.version,
        versionAcked: state.lastAck?.version,
        lastNonce: state.lastSent?.nonce,
        lastSentAt: state.lastSent?.sentAt,
        lastAckAt: state.lastAck?.at,
        lastNack: state.lastNack,
        pending: oldest && { nonce: oldest.nonce, version: oldest.version, since: oldest.sentAt, ageMs: now - oldest.sentAt },
        responses: state.responses,
        acks: state.acks,
        nacks: state.nacks,
      });
    }
    return {
      connectionId: this.connectionId,
      id: this.proxy.id,
      kind: this.proxy.kind,
      nodeName: this.proxy.nodeName,
      proxy: this.proxy,
      transport: this.transport,
      peer: this.peer,
      connectedAt: this.connectedAt,
      types,
      writesInFlight: this.inFlightSizes.length,
      typesQueued: this.dirty.size,
    };
  }

  /** What this stream last sent, per type, resource by resource (still encoded). */
  sentResources(): { status: ProxyStatus; types: { typeUrl: string; resources: [string, VersionedResource][] }[] } {
    const types = [...this.types.values()].map((state) => ({
      typeUrl: state.typeUrl,
      resources: [...state.sent.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    }));
    return { status: this.status(), types };
  }

  protected typeState(typeUrl: string): TypeState {
    let state = this.types.get(typeUrl);
    if (!state) {
      state = new TypeState(typeUrl);
      this.types.set(typeUrl, state);
    }
    return state;
  }

  /** Records a response about to be written. `supersedes`: SotW, where only the latest nonce can be answered. */
  protected recordSent(state: TypeState, sent: SentResponse, supersedes: boolean): void {
    if (supersedes) {
      this.pendingTotal -= state.pending.size;
      state.pending.clear();
    } else if (state.pending.size >= 64) {
      // A delta client that never answers: forget its oldest outstanding nonce.
      const oldest = state.pending.keys().next().value;
      if (oldest !== undefined) {
        state.pending.delete(oldest);
        this.pendingTotal--;
      }
    }
    state.pending.set(sent.nonce, sent);
    this.pendingTotal++;
    state.lastSent = sent;
    state.responses++;
    if (sent.trigger !== undefined) this.convergenceStart = Math.min(this.convergenceStart ?? sent.trigger, sent.trigger);
  }

  /** Applies an ACK (no error) or NACK for a nonce this stream has pending; other nonces are stale and ignored. */
  protected resolve(state: TypeState, nonce: string, error: ErrorDetail | null | undefined): void {
    const sent = state.pending.get(nonce);
    if (!sent) return;
    state.pending.delete(nonce);
    this.pendingTotal--;
    const now = Date.now();
    if (error) {
      state.nacks++;
      state.lastNack = { message: error.message || `code ${error.code ?? 'unknown'}`, nonce, version: sent.version, at: now };
      this.host.metrics.rejects.inc({ type: shortTypeName(state.typeUrl) });
      this.host.logger.warn(
        {
          proxy: this.proxy.id,
          connection: this.connectionId,
          type: shortTypeName(state.typeUrl),
          version: sent.version,
          nonce,
          error: error.message,
        },
        'proxy rejected xDS response (NACK); it keeps its last accepted configuration',
      );
    } else {
      state.acks++;
      state.lastAck = { version: sent.version, nonce, at: now };
    }
    if (this.pendingTotal === 0 && this.convergenceStart !== undefined) {
      this.host.metrics.convergence.observe(Math.max(0, now - this.convergenceStart) / 1000);
      this.convergenceStart = undefined;
    }
  }

  private canWrite(): boolean {
    const inFlight = this.inFlightSizes.length;
    if (this.closed || this.needDrain) return false;
    return inFlight === 0 || (inFlight < this.host.limits.maxInFlightMessages && this.inFlightBytes < this.host.limits.maxInFlightBytes);
  }

  private nextDirtyType(): string {
    let best = '';
    let bestRank = Number.POSITIVE_INFINITY;
    for (const typeUrl of this.dirty.keys()) {
      const rank = pushOrder(typeUrl);
      if (rank < bestRank) {
        best = typeUrl;
        bestRank = rank;
      }
    }
    return best;
  }

  private write(frame: Buffer): void {
    if (this.inFlightSizes.length === 0) this.lastProgressAt = Date.now();
    this.inFlightSizes.push(frame.length);
    this.inFlightBytes += frame.length;
    if (!this.call.write(frame, this.onWritten)) this.needDrain = true;
    if (!this.stallTimer) {
      this.stallTimer = setTimeout(this.checkStall, this.host.limits.stallTimeoutMs);
      this.stallTimer.unref();
    }
  }

  // Write callbacks complete in order, so the oldest size is the one just flushed.
  private readonly onWritten = (error?: Error | null): void => {
    this.inFlightBytes -= this.inFlightSizes.shift() ?? 0;
    this.lastProgressAt = Date.now();
    if (!error) this.flush();
  };

  private readonly onDrain = (): void => {
    this.needDrain = false;
    this.flush();
  };

  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.closed || this.inFlightSizes.length === 0) return;
    const idle = Date.now() - this.lastProgressAt;
    const limit = this.host.limits.stallTimeoutMs;
    if (idle < limit) {
      this.stallTimer = setTimeout(this.checkStall, limit - idle);
      this.stallTimer.unref();
      return;
    }
    this.host.metrics.writeTimeouts.inc();
    this.host.logger.warn(
      { proxy: this.proxy.id, connection: this.connectionId, idleMs: idle, writesInFlight: this.inFlightSizes.length },
      'proxy stopped reading its xDS stream; resetting it',
    );
    this.abort();
  };
}
