/**
 * The waypoint runtime: `startWaypoint` and what configures it (WaypointConfig, fed by xDS through
 * the RDS/EDS decoders), for `@ambit/dataplane/waypoint/index`.
 */
export { type ConfigListener, WaypointConfig } from './config';
export {
  DEFAULT_OUTLIER_DETECTION,
  Endpoint,
  EndpointDirectory,
  type EndpointDirectoryOptions,
  type NoEndpoint,
  type OutlierDetection,
} from './endpoints';
export { type ExtensionFaultResolver, type FaultScope, faultsOfExtensionRefs, type RouteFault, rollPercent } from './fault';
export { type AssignedEndpoint, decodeClusterLoadAssignment, type LoadAssignment, WORKLOAD_METADATA } from './load-assignment';
export { RequestRecord, RequestTelemetry, type ResponseFlag } from './request-telemetry';
export { clusterNameOf, decodeRouteConfiguration, FAULT_FILTER, ROUTE_METADATA, type WaypointRouteTable } from './route-config';
export { type TunnelContext, tunnelContextOf } from './tunnel-context';
export { DEFAULT_WAYPOINT_PORTS, startWaypoint, type Waypoint, type WaypointOptions, type WaypointPorts } from './waypoint';
export { WaypointConfigSink } from './xds-sink';
