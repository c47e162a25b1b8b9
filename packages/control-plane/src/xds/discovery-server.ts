// The transport-independent core of the xDS server: connected streams, the view cache, and
// debounced, versioned pushes driven by the ResourceSource's change events.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  type AdsConnection,
  type ConnectionHost,
  DEFAULT_STREAM_LIMITS,
  type ProxyStatus,
  type StreamLimits,
  type Transport,
} from './ads-connection';
import { configDumpOf, type ProxyConfigDump } from './config-dump';
import { DeltaConnection } from './delta-connection';
import { XdsMetrics } from './metrics';
import type { ProxyInfo } from './proxy-info';
import { DEFAULT_DEBOUNCE, type DebounceOptions, type PendingPush, PushDebouncer } from './push-debouncer';
import type { ResourceSource, VersionedResource } from './resource-source';
import { SotwConnection } from './sotw-connection';

export interface DiscoveryServerOptions {
  source: ResourceSource;
  logger: Logger;
  debounce?: Partial<DebounceOptions>;
  limits?: Partial<StreamLimits>;
  /** control_plane.identifier in every response. Default "ambit". */
  controlPlaneId?: string;
}

type View = ReadonlyMap<string, VersionedResource>;

export class DiscoveryServer implements ConnectionHost {
  readonly logger: Logger;
  readonly metrics = new XdsMetrics();
  readonly limits: StreamLimits;
  readonly controlPlaneId: string;
  private readonly source: ResourceSource;
  private readonly connections = new Map<string, AdsConnection>();
  /** typeUrl → view key → view, valid until the next push of that type. */
  private readonly views = new Map<string, Map<string, View>>();
  /** `${typeUrl} ${viewKey}` → connections using it, to drop views nobody uses. */
  private readonly viewUsers = new Map<string, number>();
  private readonly debouncer: PushDebouncer;
  private readonly unsubscribe: () => void;
  private version = 1;
  private nonceCounter = 0;
  private connectionCounter = 0;

  constructor(options: DiscoveryServerOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
    this.controlPlaneId = options.controlPlaneId ?? 'ambit';
    this.debouncer = new PushDebouncer({ ...DEFAULT_DEBOUNCE, ...options.debounce }, (push) => this.push(push));
    this.unsubscribe = this.source.onChange((change) => this.debouncer.add(change));
  }

  /** The current push version; every push increments it. */
  get pushVersion(): number {
    return this.version;
  }

  versionInfo(): string {
    return String(this.version);
  }

  nextNonce(): string {
    this.nonceCounter++;
    return this.nonceCounter.toString(36);
  }

  connect(transport: Transport, proxy: ProxyInfo, peer: string, call: ServerDuplexStream<unknown, Buffer>): AdsConnection {
    this.connectionCounter++;
    const connectionId = `${proxy.id}-${this.connectionCounter}`;
    const connection =
      transport === 'sotw'
        ? new SotwConnection(connectionId, transport, proxy, peer, call, this)
        : new DeltaConnection(connectionId, transport, proxy, peer, call, this);
    this.connections.set(connectionId, connection);
    this.metrics.connected.set(this.connections.size);
    this.logger.info(
      { proxy: proxy.id, kind: proxy.kind, node: proxy.nodeName, transport, peer, connection: connectionId },
      'proxy connected',
    );
    return connection;
  }

  onClosed(connection: AdsConnection): void {
    if (!this.connections.delete(connection.connectionId)) return;
    this.metrics.connected.set(this.connections.size);
    for (const [typeUrl, key] of connection.viewKeys) {
      const useKey = `${typeUrl} ${key}`;
      const users = (this.viewUsers.get(useKey) ?? 1) - 1;
      if (users > 0) {
        this.viewUsers.set(useKey, users);
      } else {
        this.viewUsers.delete(useKey);
        this.views.get(typeUrl)?.delete(key);
      }
    }
    this.logger.info({ proxy: connection.proxy.id, connection: connection.connectionId }, 'proxy disconnected');
  }

  view(connection: AdsConnection, typeUrl: string): View | undefined {
    try {
      const key = this.viewKeyOf(connection, typeUrl);
      let byKey = this.views.get(typeUrl);
      const cached = byKey?.get(key);
      if (cached) return cached;
      const view = this.source.resources(connection.proxy, typeUrl);
      if (!byKey) {
        byKey = new Map();
        this.views.set(typeUrl, byKey);
      }
      byKey.set(key, view);
      return view;
    } catch (error) {
      this.logger.error({ err: error, proxy: connection.proxy.id, typeUrl }, 'resource source failed; the proxy keeps what it has');
      return undefined;
    }
  }

  listProxies(): ProxyStatus[] {
    const now = Date.now();
    return [...this.connections.values()].map((connection) => connection.status(now));
  }

  /** What was last pushed to the proxy with this node id (its newest stream), decoded; undefined when it is not connected. */
  configDump(proxyId: string): ProxyConfigDump | undefined {
    let newest: AdsConnection | undefined;
    for (const connection of this.connections.values()) {
      if (connection.proxy.id === proxyId && (!newest || connection.connectedAt >= newest.connectedAt)) newest = connection;
    }
    return newest && configDumpOf(newest);
  }

  /** Pushes pending changes now instead of waiting for the debounce. */
  flushPendingChanges(): void {
    this.debouncer.flush();
  }

  /** Stops listening to the source and forgets all streams (the gRPC server ends the calls). */
  close(): void {
    this.unsubscribe();
    this.debouncer.close();
    for (const connection of [...this.connections.values()]) connection.close();
    this.views.clear();
    this.viewUsers.clear();
  }

  private viewKeyOf(connection: AdsConnection, typeUrl: string): string {
    let key = connection.viewKeys.get(typeUrl);
    if (key === undefined) {
      key = this.source.viewKey ? this.source.viewKey(connection.proxy, typeUrl) : `proxy:${connection.proxy.id}`;
      connection.viewKeys.set(typeUrl, key);
      const useKey = `${typeUrl} ${key}`;
      this.viewUsers.set(useKey, (this.viewUsers.get(useKey) ?? 0) + 1);
    }
    return key;
  }

  private push(push: PendingPush): void {
    this.version++;
    // Which views changed: every view of a type, or the views of the named proxies.
    const changedViews = new Map<string, 'all' | Set<string>>();
    for (const [typeUrl, scope] of push.scopes) {
      if (scope === 'all') {
        this.views.delete(typeUrl);
        changedViews.set(typeUrl, 'all');
        continue;
      }
      const keys = new Set<string>();
      for (const connection of this.connections.values()) {
        if (!scope.has(connection.proxy.id)) continue;
        try {
          keys.add(this.viewKeyOf(connection, typeUrl));
        } catch (error) {
          this.logger.error({ err: error, proxy: connection.proxy.id, typeUrl }, 'resource source failed to name a view');
        }
      }
      for (const key of keys) this.views.get(typeUrl)?.delete(key);
      changedViews.set(typeUrl, keys);
    }
    let notified = 0;
    for (const connection of this.connections.values()) {
      let dirty = false;
      for (const [typeUrl, keys] of changedViews) {
        if (!connection.watches(typeUrl)) continue;
        if (keys !== 'all' && !keys.has(connection.viewKeys.get(typeUrl) ?? '')) continue;
        connection.markDirty(typeUrl, push.firstChangeAt);
        dirty = true;
      }
      if (dirty) {
        notified++;
        connection.flush();
      }
    }
    this.logger.debug({ version: this.version, types: [...push.scopes.keys()], proxies: notified }, 'xDS push');
  }
}
