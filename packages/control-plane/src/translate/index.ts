/**
 * Translators: pure functions from a registry snapshot to xDS resources (Istio's workload API for
 * ztunnels; Envoy listeners, routes, clusters and endpoints for waypoints and proxyless gRPC),
 * sorted so that two snapshots' outputs diff cleanly, and the ResourceSource that serves them.
 */
export { toAuthorization, toAuthorizations } from './authorizations';
export { serviceClusters, toClusters } from './envoy-clusters';
export { loadAssignments, serviceLoadAssignments, toLoadAssignments } from './envoy-endpoints';
export { type ListenerOptions, listener, serviceListeners, toListeners } from './envoy-listeners';
export { ROUTE_METADATA, SERVICE_METADATA, WORKLOAD_METADATA } from './envoy-messages';
export { clusterName, listenerAliases, listenerName } from './envoy-names';
export { routeConfiguration, toRouteConfigurations } from './envoy-routes';
export { type ExtensionReference, FAULT_FILTER, type FaultInjection, type FaultResolver, httpFault, snapshotFaultResolver } from './fault';
export { nodeResource, toNodes, ZTUNNEL_HBONE_PORT } from './mesh-nodes';
export { createRegistryResourceSource, RegistryResourceSource } from './resource-source';
export {
  backendResolver,
  indexRoutesByParent,
  type RouteTranslationOptions,
  routesForServicePort,
  routeTables,
  type ServicePortRoutes,
} from './route-tables';
export { type AddressViewOptions, addressFor, serviceAddress, toWorkloadAddresses, workloadAddress } from './workload-addresses';
