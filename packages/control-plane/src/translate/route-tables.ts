/**
 * Which HTTPRoutes and GRPCRoutes govern a service port, compiled together by the shared route
 * compiler (which keeps one of an HTTPRoute and a GRPCRoute that share a parent and hostname). A route
 * attached to the Service (GAMMA) wins; a service with none takes the routes attached to the
 * waypoint Gateway it is bound to; a service with neither gets the default: everything to itself.
 * Producer routes only for now: consumer routes (another namespace's routes for this Service)
 * need per-client-namespace views.
 */
import {
  type AttachableRoute,
  type BackendResolver,
  type CompiledRouteTable,
  compileRouteTable,
  type RouteParent,
} from '@ambit/shared/routing';
import {
  type MeshSnapshot,
  ReferenceGrants,
  refusedServiceRef,
  resolversByParentKind,
  type ServiceInfo,
  type ServicePortInfo,
  serviceKeyOf,
} from '../registry/index';
import { type FaultResolver, snapshotFaultResolver } from './fault';

export interface RouteTranslationOptions {
  /** Resolves ExtensionRef filters to fault injection; without it such filters answer 500. */
  fault?: FaultResolver;
}

export interface ServicePortRoutes {
  service: ServiceInfo;
  port: ServicePortInfo;
  /** Empty routes: nothing attached, the default route applies. */
  table: CompiledRouteTable;
  attachedTo: 'Service' | 'Gateway' | 'none';
}

type RouteIndex = ReadonlyMap<string, readonly AttachableRoute[]>;

/** Every HTTPRoute and GRPCRoute of the snapshot. */
export function snapshotRoutes(snapshot: Pick<MeshSnapshot, 'routes' | 'grpcRoutes'>): AttachableRoute[] {
  return [...snapshot.routes.values(), ...snapshot.grpcRoutes.values()];
}

/** Routes by the parents they name: `Service/<ns>/<name>` and `Gateway/<ns>/<name>`. */
export function indexRoutesByParent(routes: Iterable<AttachableRoute>): RouteIndex {
  const index = new Map<string, AttachableRoute[]>();
  for (const route of routes) {
    const namespace = route.metadata.namespace ?? 'default';
    const parents = new Set(
      (route.spec.parentRefs ?? []).map((ref) => `${ref.kind ?? 'Gateway'}/${ref.namespace ?? namespace}/${ref.name}`),
    );
    for (const parent of parents) {
      let list = index.get(parent);
      if (!list) {
        list = [];
        index.set(parent, list);
      }
      list.push(route);
    }
  }
  return index;
}

/** The resolver for each kind of parent a table is compiled for. */
export type BackendResolvers = Readonly<Record<RouteParent['kind'], BackendResolver>>;

/** Backends are Services of the mesh, on one of their ports; grants enforced where resolversByParentKind says. */
export function backendResolvers(snapshot: MeshSnapshot): BackendResolvers {
  return resolversByParentKind(new ReferenceGrants(snapshot.referenceGrants.values()), (grants) => backendResolver(snapshot, grants));
}

/** Resolves against the snapshot's Services; with `grants`, a cross-namespace Service must be granted first. */
export function backendResolver(snapshot: MeshSnapshot, grants?: ReferenceGrants): BackendResolver {
  return (ref, routeNamespace, routeKind) => {
    const refused = refusedServiceRef(ref, routeNamespace, routeKind, grants);
    if (refused) return refused;
    const namespace = ref.namespace ?? routeNamespace;
    const service = snapshot.services.get(serviceKeyOf(ref.name, namespace, snapshot.options.domainSuffix));
    if (!service) return { exists: false, reason: 'BackendNotFound' };
    if (ref.port !== undefined && !service.ports.some((p) => p.port === ref.port && p.protocol === 'TCP')) {
      return { exists: false, reason: `Service ${namespace}/${ref.name} has no TCP port ${ref.port}` };
    }
    return { exists: true };
  };
}

export function routesForServicePort(
  snapshot: MeshSnapshot,
  service: ServiceInfo,
  port: ServicePortInfo,
  index: RouteIndex,
  resolvers: BackendResolvers,
  options: RouteTranslationOptions = {},
): ServicePortRoutes {
  const compileOptions = { extensionKinds: faultResolverFor(snapshot, options).kinds };
  const serviceParent: RouteParent = { kind: 'Service', namespace: service.namespace, name: service.name, port: port.port };
  if (port.name) serviceParent.sectionName = port.name;
  const attached = index.get(`Service/${service.namespace}/${service.name}`) ?? [];
  const table = compileRouteTable(attached, serviceParent, resolvers.Service, compileOptions);
  if (table.attached.length > 0) return { service, port, table, attachedTo: 'Service' };

  const waypoint = service.waypoint && snapshot.waypoints.get(service.waypoint.key);
  const listener = waypoint?.listeners.find((l) => l.protocol === 'HBONE') ?? waypoint?.listeners[0];
  if (waypoint && listener) {
    const gatewayParent: RouteParent = { kind: 'Gateway', namespace: waypoint.namespace, name: waypoint.name, port: listener.port };
    gatewayParent.sectionName = listener.name;
    if (listener.hostname) gatewayParent.hostname = listener.hostname;
    const gatewayRoutes = index.get(`Gateway/${waypoint.namespace}/${waypoint.name}`) ?? [];
    const gatewayTable = compileRouteTable(gatewayRoutes, gatewayParent, resolvers.Gateway, compileOptions);
    if (gatewayTable.attached.length > 0) return { service, port, table: gatewayTable, attachedTo: 'Gateway' };
  }
  return { service, port, table, attachedTo: 'none' };
}

/** Every TCP port of every service with its route table, sorted by service key then port. */
export function routeTables(snapshot: MeshSnapshot, options: RouteTranslationOptions = {}): ServicePortRoutes[] {
  const index = indexRoutesByParent(snapshotRoutes(snapshot));
  const resolvers = backendResolvers(snapshot);
  const out: ServicePortRoutes[] = [];
  for (const key of [...snapshot.services.keys()].sort()) {
    const service = snapshot.services.get(key) as ServiceInfo;
    for (const port of tcpPorts(service)) out.push(routesForServicePort(snapshot, service, port, index, resolvers, options));
  }
  return out;
}

export function tcpPorts(service: ServiceInfo): ServicePortInfo[] {
  return service.ports.filter((p) => p.protocol === 'TCP').sort((a, b) => a.port - b.port);
}

/** The resolver translation uses: the one given, else the snapshot's FaultInjection objects. */
export function faultResolverFor(snapshot: MeshSnapshot, options: RouteTranslationOptions): FaultResolver {
  return options.fault ?? snapshotFaultResolver(snapshot);
}
