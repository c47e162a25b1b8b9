/**
 * The registry: the store's objects joined into one immutable MeshSnapshot (namespaces, nodes,
 * services, workloads, waypoints and their bindings, routes, policies and where they apply),
 * maintained incrementally from the store's watch.
 */
export * from './labels';
export { REGISTRY_KINDS } from './mesh-state';
export * from './model';
export {
  type CompiledAuthorizationPolicy,
  compileForMesh,
  convertedPeerAuthentication,
  STATIC_STRICT_POLICY_NAME,
  staticStrictPolicy,
  type ZtunnelPolicyInputs,
  ztunnelPoliciesFor,
} from './policies';
export {
  missingServiceGrant,
  type ReferenceFrom,
  ReferenceGrants,
  type ReferenceTo,
  refusedServiceRef,
  resolversByParentKind,
} from './reference-grants';
export { buildSnapshot, createRegistry, type Registry } from './registry';
export { appProtocolOf } from './services';
export {
  isWaypointGateway,
  resolveWaypointForService,
  resolveWaypointForWorkload,
  type WaypointResolution,
  type WaypointSubject,
} from './waypoints';
export { servicePortsFor, workloadOwner } from './workloads';
