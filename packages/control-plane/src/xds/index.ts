// The control plane's xDS transport: ADS over gRPC for ztunnels (delta, Istio workload API),
// waypoints and proxyless gRPC clients (state of the world, Envoy v3).

// The wire formats (codecs, type URLs, Any, Struct) live in @ambit/shared/xds, shared with the proxies.
export * from '@ambit/shared/xds';
export {
  AdsConnection,
  type ConnectionHost,
  DEFAULT_STREAM_LIMITS,
  type NackRecord,
  type ProxyStatus,
  type StreamLimits,
  type Transport,
  type TypeStatus,
} from './ads-connection';
export { type ConfigDumpResource, configDumpOf, decodeResource, type ProxyConfigDump, type TypeConfigDump } from './config-dump';
export { DiscoveryServer, type DiscoveryServerOptions } from './discovery-server';
export { MemoryResourceSource } from './memory-source';
export { Counter, Gauge, Histogram, type Labels, MetricsRegistry, XdsMetrics } from './metrics';
export { type ProxyInfo, type ProxyKind, type ProxyLocality, parseProxyInfo } from './proxy-info';
export { type ProxySyncSummary, type SyncState, summarizeProxies, type TypeSyncSummary, typeSyncState } from './proxy-status';
export { DEFAULT_DEBOUNCE, type DebounceOptions } from './push-debouncer';
export { contentVersion, type ResourceChange, type ResourceSource, type VersionedResource } from './resource-source';
export { aggregatedDiscoveryService, startXdsServer, type XdsServer, type XdsServerOptions } from './xds-server';
