// Type URLs of the xDS resources Ambit serves, and how each behaves on the wire.

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

export const TypeUrl = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  address: 'type.googleapis.com/istio.workload.Address',
  authorization: 'type.googleapis.com/istio.security.Authorization',
  /** Ambit's own (not Istio's): where each node's ztunnel accepts HBONE; see proto/ambit/mesh/v1/node.proto. */
  node: 'type.googleapis.com/ambit.mesh.v1.Node',
  /** Ambit's own: L7 AuthorizationPolicies attached to a waypoint; see proto/ambit/mesh/v1/waypoint_policy.proto. */
  waypointPolicy: 'type.googleapis.com/ambit.mesh.v1.WaypointPolicy',
} as const;

const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  [TypeUrl.listener, 'lds'],
  [TypeUrl.routeConfiguration, 'rds'],
  [TypeUrl.cluster, 'cds'],
  [TypeUrl.clusterLoadAssignment, 'eds'],
  [TypeUrl.address, 'wds'],
  [TypeUrl.authorization, 'wads'],
  [TypeUrl.node, 'nds'],
  [TypeUrl.waypointPolicy, 'wpds'],
]);

/** Istio's short metric label for a type (`lds`, `eds`, `wds`...); other types keep their full URL. */
export function shortTypeName(typeUrl: string): string {
  return SHORT_NAMES.get(typeUrl) ?? typeUrl;
}

export function typeUrlOf(fullMessageName: string): string {
  return TYPE_URL_PREFIX + fullMessageName;
}

/**
 * Whether an empty first request means "everything" (legacy wildcard). Envoy and gRPC always
 * name the routes and endpoints they want, so for RDS and EDS an empty list means nothing.
 */
export function allowsImplicitWildcard(typeUrl: string): boolean {
  return typeUrl !== TypeUrl.routeConfiguration && typeUrl !== TypeUrl.clusterLoadAssignment;
}

/**
 * Whether a state-of-the-world response must carry every subscribed resource: for LDS and CDS a
 * missing resource means "deleted" to the client, so partial responses are impossible.
 */
export function requiresFullStateInSotw(typeUrl: string): boolean {
  return typeUrl === TypeUrl.listener || typeUrl === TypeUrl.cluster;
}

// Clusters before endpoints and listeners before routes (make before break), as Envoy expects.
const PUSH_ORDER: readonly string[] = [
  TypeUrl.cluster,
  TypeUrl.clusterLoadAssignment,
  TypeUrl.listener,
  TypeUrl.routeConfiguration,
  // A waypoint's policies with its routes, before the workloads whose traffic they judge.
  TypeUrl.waypointPolicy,
  // Nodes before the workloads that name them, so a new node's ztunnel is known before traffic goes there.
  TypeUrl.node,
  TypeUrl.address,
  TypeUrl.authorization,
];

/** Rank for ordering several types pushed at once; unknown types go last. */
export function pushOrder(typeUrl: string): number {
  const index = PUSH_ORDER.indexOf(typeUrl);
  return index === -1 ? PUSH_ORDER.length : index;
}
