// The proxies' xDS client: one aggregated (ADS) stream to the control plane, delta by default
// (what ztunnel speaks for the workload API) or state of the world. Every response is decoded
// whole and handed to the sink; it is ACKed when the sink takes it and NACKed, with the reason,
// when a resource does not decode or the sink refuses it — the sink then keeps what it had. A lost
// stream is reopened with exponential backoff, forever, declaring what the sink holds
// (initial_resource_versions) so the server resends only what changed; the sink is never cleared,
// so the proxy keeps serving its last configuration while the control plane is away.
import { AmbitError } from '@ambit/shared/errors';
// Not '@ambit/shared/xds': that loads protobufjs, which a ztunnel does without (see wire/index.ts).
import type { ReceivedDeltaResponse, ReceivedResponse } from '@ambit/shared/xds/client-messages';
import type { NodeMessage } from '@ambit/shared/xds/discovery-messages';
import { pushOrder, TypeUrl } from '@ambit/shared/xds/type-urls';
import {
  decodeDeltaDiscoveryResponseWire,
  decodeDiscoveryResponseWire,
  encodeDeltaDiscoveryRequestWire,
  encodeDiscoveryRequestWire,
} from '@ambit/shared/xds/wire/index';
import { type Logger, pino } from 'pino';
import { Backoff, type BackoffOptions } from '../identity/backoff';
import { type ChannelSettings, DEFAULT_XDS_ADDRESS, openChannel } from './channel';
import { type GrpcCall, type GrpcChannel, GrpcCode, type GrpcStatus, grpcCodeName } from './grpc-channel';
import { type DataplaneProxyKind, type ProxyNodeOptions, proxyNode } from './proxy-node';
import { loadResourceTypes } from './resource-types';
import type { XdsSink } from './sink';
import { type AppliedChange, messageOf, type Subscription, type SubscriptionStatus, TypeSubscription } from './subscription';

const ADS_SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';
/** google.rpc.Code INVALID_ARGUMENT, as Envoy reports a rejected update. */
const NACK_CODE = 3;

/** 0.5 s, doubling, ±20 %, at most 30 s — as Istio's proxies retry the control plane. */
export const XDS_RECONNECT_BACKOFF: BackoffOptions = { initialMs: 500, multiplier: 2, jitter: 0.2, maxMs: 30_000 };

/** What a ztunnel needs: every workload, service and L4 policy of its view, and where each node's ztunnel takes HBONE. */
export const ZTUNNEL_SUBSCRIPTIONS: readonly Subscription[] = [
  { typeUrl: TypeUrl.node },
  { typeUrl: TypeUrl.address },
  { typeUrl: TypeUrl.authorization },
];

/**
 * What a waypoint needs from Envoy's types and Ambit's: every cluster, endpoint set, listener and
 * route table of its view, and the L7 policies attached to it. (The waypoint process adds the
 * workload API, ZTUNNEL_SUBSCRIPTIONS, for endpoints' identities and nodes.)
 */
export const WAYPOINT_SUBSCRIPTIONS: readonly Subscription[] = [
  { typeUrl: TypeUrl.cluster },
  { typeUrl: TypeUrl.clusterLoadAssignment },
  { typeUrl: TypeUrl.listener },
  { typeUrl: TypeUrl.routeConfiguration },
  { typeUrl: TypeUrl.waypointPolicy },
];

export type XdsTransport = 'delta' | 'sotw';

export type XdsConnectionState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

export interface AdsClientOptions extends ChannelSettings {
  node: ProxyNodeOptions;
  sink: XdsSink;
  /** Type URLs (every resource) or subscriptions; default by `node.kind`: ZTUNNEL_ or WAYPOINT_SUBSCRIPTIONS. */
  subscriptions?: readonly (string | Subscription)[];
  /** Default delta (DeltaAggregatedResources); `sotw` uses StreamAggregatedResources. */
  transport?: XdsTransport;
  /** The node token, sent as `authorization: Bearer <token>`; a function is asked again on every connection. */
  token?: string | (() => string | Promise<string>);
  /** Default XDS_RECONNECT_BACKOFF. */
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
}

export interface XdsErrorRecord {
  message: string;
  at: number;
}

/** For readiness probes and config dumps. Times are Date.now() milliseconds. */
export interface AdsClientStatus {
  address: string;
  transport: XdsTransport;
  state: XdsConnectionState;
  /** A stream is open and the control plane has answered on it. */
  connected: boolean;
  connectedSince?: number;
  /** Every subscribed type has had a response accepted. */
  synced: boolean;
  /** When a response was last accepted. */
  lastUpdate?: number;
  /** The latest problem, kept after recovery. */
  lastError?: XdsErrorRecord;
  /** Streams opened since start, the first included. */
  attempts: number;
  nextRetryAt?: number;
  types: SubscriptionStatus[];
}

interface Stream {
  call: GrpcCall;
  readonly channel: GrpcChannel;
  /** Why the client itself ended the stream. */
  failure?: string;
}

interface SyncWaiter {
  resolve(): void;
  reject(error: Error): void;
}

export class AdsClient {
  readonly transport: XdsTransport;
  private readonly address: string;
  private readonly subscriptions = new Map<string, TypeSubscription>();
  private readonly node: NodeMessage;
  private readonly backoff: Backoff;
  private readonly logger: Logger;
  private readonly syncWaiters = new Set<SyncWaiter>();
  private state: XdsConnectionState = 'idle';
  private stream: Stream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextRetryAt: number | undefined;
  private connectedSince: number | undefined;
  private lastUpdateAt: number | undefined;
  private lastErrorRecord: XdsErrorRecord | undefined;
  private attempts = 0;

  constructor(private readonly options: AdsClientOptions) {
    this.transport = options.transport ?? 'delta';
    this.address = options.address ?? DEFAULT_XDS_ADDRESS;
    const wanted = (options.subscriptions ?? defaultSubscriptions(options.node.kind)).map((s) =>
      typeof s === 'string' ? { typeUrl: s } : s,
    );
    if (wanted.length === 0) throw new AmbitError('InvalidArgument', 'an xDS client must subscribe to at least one type');
    // Clusters before endpoints, listeners before routes: the order Envoy asks in.
    for (const subscription of wanted.sort((a, b) => pushOrder(a.typeUrl) - pushOrder(b.typeUrl))) {
      if (this.subscriptions.has(subscription.typeUrl)) {
        throw new AmbitError('InvalidArgument', `${subscription.typeUrl} is subscribed twice; list its names once`);
      }
      this.subscriptions.set(subscription.typeUrl, new TypeSubscription(subscription));
    }
    this.node = proxyNode(options.node);
    this.backoff = new Backoff({ ...XDS_RECONNECT_BACKOFF, ...options.backoff });
    this.logger = (options.logger ?? pino({ name: 'xds-client' })).child({ xds: this.address, proxy: options.node.id });
  }

  /** Opens the stream; further streams follow on their own until close(). */
  start(): void {
    if (this.state !== 'idle') return;
    void this.connect();
  }

  /** Ends the stream and stops reconnecting. The sink keeps what it holds. */
  close(): void {
    if (this.closed) return;
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
    this.connectedSince = undefined;
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.call.cancel();
      stream.channel.close();
    }
    for (const waiter of this.syncWaiters) waiter.reject(new AmbitError('Unavailable', 'the xDS client was closed before it synced'));
    this.syncWaiters.clear();
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  get synced(): boolean {
    for (const subscription of this.subscriptions.values()) if (!subscription.synced) return false;
    return true;
  }

  /** When a response was last accepted. */
  get lastUpdate(): number | undefined {
    return this.lastUpdateAt;
  }

  /** The latest problem (stream lost, NACK, unreachable); kept after recovery, so compare `at` with lastUpdate. */
  get lastError(): XdsErrorRecord | undefined {
    return this.lastErrorRecord;
  }

  /** Version of the last accepted response of a type. */
  version(typeUrl: string): string | undefined {
    return this.subscriptions.get(typeUrl)?.version;
  }

  /** Names and versions the sink holds for a type (delta: the server's versions; SotW: content digests). */
  resourceVersions(typeUrl: string): ReadonlyMap<string, string> {
    return new Map(this.subscriptions.get(typeUrl)?.held);
  }

  /** Resolves once every subscribed type has had a response accepted; rejects after `timeoutMs` or on close(). */
  whenSynced(timeoutMs = 10_000): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.closed) return Promise.reject(new AmbitError('Unavailable', 'the xDS client is closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter: SyncWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.syncWaiters.delete(waiter);
        const pending = [...this.subscriptions.values()].filter((s) => !s.synced).map((s) => s.status().type);
        const cause = this.lastErrorRecord ? `; last error: ${this.lastErrorRecord.message}` : '';
        reject(
          new AmbitError(
            'Unavailable',
            `no xDS configuration from ${this.address} after ${timeoutMs} ms (waiting for ${pending.join(', ')})${cause}`,
          ),
        );
      }, timeoutMs);
      this.syncWaiters.add(waiter);
    });
  }

  status(): AdsClientStatus {
    const status: AdsClientStatus = {
      address: this.address,
      transport: this.transport,
      state: this.state,
      connected: this.connected,
      synced: this.synced,
      attempts: this.attempts,
      types: [...this.subscriptions.values()].map((s) => s.status()),
    };
    if (this.connectedSince !== undefined) status.connectedSince = this.connectedSince;
    if (this.lastUpdateAt !== undefined) status.lastUpdate = this.lastUpdateAt;
    if (this.lastErrorRecord) status.lastError = { ...this.lastErrorRecord };
    if (this.nextRetryAt !== undefined) status.nextRetryAt = this.nextRetryAt;
    return status;
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
    if (this.closed) return;
    this.state = 'connecting';
    this.attempts++;
    let channel: GrpcChannel;
    const metadata: Record<string, string> = {};
    try {
      const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
      if (token) metadata.authorization = `Bearer ${token}`;
      await loadResourceTypes(this.subscriptions.keys());
      channel = await openChannel(this.options);
    } catch (error) {
      if (!this.closed) this.retryLater(`cannot open a channel to ${this.address}: ${messageOf(error)}`, false);
      return;
    }
    // close() may have run while the token or the root CA was read.
    if (this.closed) {
      channel.close();
      return;
    }
    const method = this.transport === 'delta' ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
    const stream = { channel } as Stream;
    this.stream = stream;
    stream.call = channel.call(ADS_SERVICE + method, metadata, {
      onMessage: (bytes) => this.onResponse(stream, bytes),
      onEnd: (status) => this.onStreamEnded(stream, status),
    });
    let first = true;
    for (const subscription of this.subscriptions.values()) {
      stream.call.write(this.initialRequest(subscription, first ? this.node : undefined));
      first = false;
    }
  }

  /** The first request of a type on a stream; the stream's very first request also carries the node. */
  private initialRequest(subscription: TypeSubscription, node: NodeMessage | undefined): Buffer {
    const names = subscription.requestedNames();
    if (this.transport === 'delta') {
      return encodeDeltaDiscoveryRequestWire({
        node,
        typeUrl: subscription.typeUrl,
        resourceNamesSubscribe: names,
        // What the sink kept from earlier streams: the server sends only what differs from it.
        initialResourceVersions: Object.fromEntries(subscription.held),
      });
    }
    return encodeDiscoveryRequestWire({
      node,
      typeUrl: subscription.typeUrl,
      versionInfo: subscription.version ?? '',
      resourceNames: names,
    });
  }

  private onResponse(stream: Stream, bytes: Buffer): void {
    if (stream !== this.stream) return;
    let response: ReceivedDeltaResponse | ReceivedResponse;
    try {
      response = this.transport === 'delta' ? decodeDeltaDiscoveryResponseWire(bytes) : decodeDiscoveryResponseWire(bytes);
    } catch (error) {
      // Without a readable nonce and type there is nothing to NACK: start a new stream.
      stream.failure = `the control plane sent an unreadable response: ${messageOf(error)}`;
      stream.call.cancel();
      return;
    }
    if (this.state !== 'connected') {
      this.state = 'connected';
      this.connectedSince = Date.now();
      this.backoff.reset();
      this.logger.info({ transport: this.transport, attempt: this.attempts }, 'connected to the control plane');
    }
    const subscription = this.subscriptions.get(response.typeUrl);
    if (!subscription) {
      // Answering would subscribe to the type; ignoring it is what Envoy does.
      this.recordError(`the control plane sent ${response.typeUrl || 'a response without a type'}, which is not subscribed`);
      return;
    }
    let applied: AppliedChange;
    try {
      applied =
        this.transport === 'delta'
          ? subscription.applyDelta(response as ReceivedDeltaResponse, this.options.sink)
          : subscription.applySotw(response as ReceivedResponse, this.options.sink);
    } catch (error) {
      const message = messageOf(error);
      subscription.rejected(message, response.nonce);
      this.recordError(message);
      this.logger.warn(
        { type: subscription.status().type, nonce: response.nonce, error: message },
        'rejected an xDS update (NACK); keeping the last good state',
      );
      stream.call.write(this.answer(subscription, response.nonce, message));
      return;
    }
    this.lastUpdateAt = subscription.lastUpdate;
    this.logger.debug({ type: subscription.status().type, version: subscription.version, ...applied }, 'applied an xDS update');
    stream.call.write(this.answer(subscription, response.nonce, undefined));
    if (this.syncWaiters.size > 0 && this.synced) {
      for (const waiter of this.syncWaiters) waiter.resolve();
      this.syncWaiters.clear();
    }
  }

  /** ACK (no error) or NACK; SotW names the version it holds: the new one after an ACK, the previous after a NACK. */
  private answer(subscription: TypeSubscription, nonce: string, error: string | undefined): Buffer {
    const errorDetail = error === undefined ? undefined : { code: NACK_CODE, message: error };
    if (this.transport === 'delta')
      return encodeDeltaDiscoveryRequestWire({ typeUrl: subscription.typeUrl, responseNonce: nonce, errorDetail });
    return encodeDiscoveryRequestWire({
      typeUrl: subscription.typeUrl,
      versionInfo: subscription.version ?? '',
      resourceNames: subscription.requestedNames(),
      responseNonce: nonce,
      errorDetail,
    });
  }

  private onStreamEnded(stream: Stream, status: GrpcStatus): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    stream.channel.close();
    if (this.closed) return;
    const wasConnected = this.state === 'connected';
    const reason =
      stream.failure ??
      (status.code === GrpcCode.OK
        ? 'the control plane ended the stream'
        : `${grpcCodeName(status.code)}: ${status.details || 'the stream failed'}`);
    this.retryLater(reason, wasConnected);
  }

  private retryLater(reason: string, wasConnected: boolean): void {
    this.recordError(reason);
    this.connectedSince = undefined;
    const delay = this.backoff.next();
    this.state = 'backoff';
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.logger.warn(
      { error: reason, retryInMs: delay, attempt: this.attempts },
      wasConnected ? 'lost the control plane; serving the last configuration' : 'cannot reach the control plane',
    );
  }

  private recordError(message: string): void {
    this.lastErrorRecord = { message, at: Date.now() };
  }
}

function defaultSubscriptions(kind: DataplaneProxyKind): readonly Subscription[] {
  return kind === 'ztunnel' ? ZTUNNEL_SUBSCRIPTIONS : WAYPOINT_SUBSCRIPTIONS;
}
