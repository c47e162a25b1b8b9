/**
 * Translators: pure functions from a registry snapshot to xDS resources (Istio's workload API for
 * ztunnels and waypoints; Envoy listeners, routes, clusters and endpoints for waypoints and
 * proxyless gRPC; Ambit's Node and WaypointPolicy resources),
 * sorted so that two snapshots' outputs diff cleanly, and the ResourceSource that serves them.
 */
export { toAuthorization, toAuthorizations } from './authorizations';
export { serviceClusters, toClusters } from './envoy-clusters';
export { loadAssignments, serviceLoadAssignments, toLoadAssignments } from './envoy-endpoints';
export { type ListenerOptions, listener, serviceListeners, toListeners } from './envoy-listeners';
export { listenerAliases } from './envoy-names';
export { routeConfiguration, toRouteConfigurations } from './envoy-routes';
export { type ExtensionReference, type FaultResolver, httpFault, snapshotFaultResolver } from './fault';
export { nodeResource, toNodes, ZTUNNEL_HBONE_PORT } from './mesh-nodes';
export { createRegistryResourceSource, RegistryResourceSource } from './resource-source';
export {
  type BackendResolvers,
  backendResolver,
  backendResolvers,
  indexRoutesByParent,
  type RouteTranslationOptions,
  routesForServicePort,
  routeTables,
  type ServicePortRoutes,
  snapshotRoutes,
} from './route-tables';
export { toWaypointPolicies } from './waypoint-policies';
export { type AddressViewOptions, addressFor, serviceAddress, toWorkloadAddresses, workloadAddress } from './workload-addresses';
