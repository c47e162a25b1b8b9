// The control plane's xDS transport: ADS over gRPC for ztunnels (delta, Istio workload API),
// waypoints and proxyless gRPC clients (state of the world, Envoy v3).
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
export { DiscoveryServer, type DiscoveryServerOptions } from './discovery-server';
export { packEnvoyResource, unpackEnvoyResource } from './envoy-resources';
export { MemoryResourceSource } from './memory-source';
export { Counter, Gauge, Histogram, type Labels, MetricsRegistry, XdsMetrics } from './metrics';
export { type NodeMessage, type ProxyInfo, type ProxyKind, type ProxyLocality, parseProxyInfo, structToJson } from './proxy-info';
export { DEFAULT_DEBOUNCE, type DebounceOptions } from './push-debouncer';
export { type Any, contentVersion, type ResourceChange, type ResourceSource, type VersionedResource } from './resource-source';
export { AMBIT_PROTO_DIR, ENVOY_PROTO_FILES, envoyIncludeDirs, envoySchemas, loadProtoRoot, workloadApiSchemas } from './schemas';
export {
  allowsImplicitWildcard,
  pushOrder,
  requiresFullStateInSotw,
  shortTypeName,
  TYPE_URL_PREFIX,
  TypeUrl,
  typeUrlOf,
} from './type-urls';
export * from './workload-api';
export { aggregatedDiscoveryService, startXdsServer, type XdsServer, type XdsServerOptions } from './xds-server';
