/**
 * The waypoint runtime: `startWaypoint` and what configures it (WaypointConfig, fed by xDS through
 * the RDS/EDS decoders and Ambit's WaypointPolicy), and `runWaypoint`, the waypoint as a process
 * runs it; for `@ambit/dataplane/waypoint/index`.
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
export { type ExtensionFaultResolver, type FaultScope, faultsOfExtensionRefs, rollPercent } from './fault';
export { type AssignedEndpoint, decodeClusterLoadAssignment, type LoadAssignment } from './load-assignment';
export { type RunWaypointOptions, runWaypoint, type WaypointRuntime } from './main';
export { RequestRecord, RequestTelemetry, type ResponseFlag } from './request-telemetry';
export { decodeRouteConfiguration, type WaypointRouteTable } from './route-config';
export { type TunnelContext, tunnelContextOf } from './tunnel-context';
export { DEFAULT_WAYPOINT_PORTS, startWaypoint, type Waypoint, type WaypointOptions, type WaypointPorts } from './waypoint';
export { WaypointConfigSink } from './xds-sink';
