// The ztunnel runtime (and, later, the waypoint runtime). Deep imports work too: `@ambit/dataplane/<path>`.

export { abort, type BridgeDone, type BridgeSide, bridge } from './hbone/bridge';
export { connectHboneSession, type HboneSessionOptions, openTunnel, type TunnelRequest } from './hbone/client';
export {
  type BaggageSource,
  formatAuthority,
  formatBaggage,
  formatForwarded,
  forwardedFor,
  forwardedHost,
  newTraceparent,
  parseAuthority,
  parseBaggage,
  type TunnelTarget,
} from './hbone/headers';
export {
  CONNECTION_WINDOW_BYTES,
  HBONE_ALPN,
  RESERVED_TARGET_PORTS,
  STREAM_WINDOW_BYTES,
  STREAMS_PER_SESSION,
} from './hbone/protocol';
export {
  createHboneServer,
  type HboneServer,
  type HboneServerOptions,
  type InboundTunnel,
  type RefusalReason,
  respondAndEnd,
} from './hbone/server';
export {
  expectServerIdentity,
  IdentityMismatchError,
  type PeerIdentity,
  peerIdentityOf,
  serverNameFor,
  TlsContexts,
  verifiedPeerIdentity,
} from './hbone/tls';
export { Backoff, type BackoffOptions, CERTIFICATE_BACKOFF } from './identity/backoff';
export { acceptCertificate, generateKeyAndCsr, type KeyAndCsr, uriSans, type WorkloadCertificate } from './identity/certificate';
export {
  CERTIFICATE_SERVICE,
  createIstioCertificateProvider,
  type IstioCertificateClientOptions,
  type IstioCertificateProvider,
} from './identity/istio-ca-client';
export {
  type CertificateListener,
  CertificateManager,
  type CertificateManagerOptions,
  type CertificateStatus,
  type CertificateStore,
} from './identity/manager';
export type { CertificateProvider } from './identity/provider';
export { PeerLabels } from './metrics/peer-labels';
export {
  Counter,
  CounterFamily,
  HistogramFamily,
  HistogramSeries,
  labelPair,
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics/registry';
export {
  type ConnectionInfo,
  ConnectionResult,
  ConnectionTracker,
  type Reporter,
  type ResponseFlags,
  type SecurityPolicy,
  TcpMetrics,
} from './metrics/tcp';
export { policyKey, selectWorkloadPolicies } from './state/policy';
export { type NodeInfo, ProxyState, type StateListener, type StateSnapshot } from './state/proxy-state';
export { type Service, type ServiceAddress, type ServiceInput, type ServicePort, serviceKey, servicePort } from './state/service';
export type { GatewayAddress, PortMapping, TunnelProtocol, Workload, WorkloadInput, WorkloadStatus } from './state/workload';
export * from './waypoint/index';
export {
  AdsClient,
  type AdsClientOptions,
  type AdsClientStatus,
  type ChannelSettings,
  channelSecurity,
  DEFAULT_XDS_ADDRESS,
  type ResourceUpdate,
  WAYPOINT_SUBSCRIPTIONS,
  WorkloadStateSink,
  type WorkloadStateSinkOptions,
  XDS_RECONNECT_BACKOFF,
  type XdsSink,
  ZTUNNEL_SUBSCRIPTIONS,
} from './xds/index';
export { type Capture, type CapturedConnectionHandler, type CaptureListener, loopbackCapture } from './ztunnel/capture';
export { type Authorizer, type InboundOptions, InboundProxy } from './ztunnel/inbound';
export { type RunZtunnelOptions, runZtunnel, type ZtunnelRuntime } from './ztunnel/main';
export { type OutboundOptions, OutboundProxy } from './ztunnel/outbound';
export { type HboneDestination, HbonePool, type PoolOptions, type PoolStats } from './ztunnel/pool';
export { type ProxyHeader, parseProxyHeaderLine, readProxyHeader } from './ztunnel/proxy-protocol';
export { DEFAULT_HBONE_PORT, type OutboundRoute, OutboundRouter, targetPortOf } from './ztunnel/route';
export { DEFAULT_ZTUNNEL_PORTS, startZtunnel, type Ztunnel, type ZtunnelOptions, type ZtunnelPorts } from './ztunnel/ztunnel';
