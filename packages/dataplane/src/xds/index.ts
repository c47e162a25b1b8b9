// The proxies' xDS client: everything a ztunnel or a waypoint knows arrives through it.
export {
  AdsClient,
  type AdsClientOptions,
  type AdsClientStatus,
  WAYPOINT_SUBSCRIPTIONS,
  XDS_RECONNECT_BACKOFF,
  type XdsConnectionState,
  type XdsErrorRecord,
  type XdsTransport,
  ZTUNNEL_SUBSCRIPTIONS,
} from './ads-client';
export { type ChannelSettings, channelSecurity, DEFAULT_XDS_ADDRESS, type XdsTlsOptions } from './channel';
export { type DataplaneProxyKind, NODE_METADATA, type ProxyNodeOptions, proxyNode } from './proxy-node';
export { type ResourceType, resourceTypeFor } from './resource-types';
export type { DecodedResource, DecodedResources, EnvoyResource, ResourceUpdate, XdsSink } from './sink';
export type { NackRecord, Subscription, SubscriptionStatus } from './subscription';
export { WorkloadStateSink, type WorkloadStateSinkOptions } from './workload-state-sink';
