/**
 * Topology: the live graph of the mesh (nodes for workloads, apps, services, waypoints, ztunnels
 * and unknown peers; de-duplicated edges with rates, errors, latency, bytes and security; Kiali's
 * health) and the mTLS audit, both pure functions of telemetry answers and a registry snapshot.
 */
export { buildTopology, settleTopology, type TopologyOptions } from './build';
export { BuiltTopology } from './built-topology';
export { type CsvValue, csvField, toCsv } from './csv';
export * from './graph';
export { type GraphView, type GraphViewEdge, type GraphViewNode, graphView, type NodeDetails, nodeDetails } from './graph-view';
export {
  type Health,
  type HealthConfig,
  type HealthKind,
  type HealthRateRule,
  KIALI_DEFAULT_HEALTH,
  type Tolerance,
  type TrafficDirection,
} from './health';
export * from './mtls-audit';
export { PROXY_TARGET_LABELS } from './node-catalog';
export { RecentGraphs, type RecentGraphsOptions } from './recent-graphs';
export {
  queryTopologyTelemetry,
  type TopologyQueries,
  type TopologyTelemetry,
  type TopologyTelemetryRequest,
  topologyQueries,
} from './telemetry';
