import type { HttpRoute, ParentReference } from '../resources/gateway';
import type { GrpcRoute } from '../resources/grpc-route';
import { bindHostnames, type HostnameBinding, intersectHostname } from './hostname';
import { compareAgeThenName, creationTime } from './precedence';
import type { RouteKind, RouteNote, RouteParent } from './types';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** The route kinds compiled into one table: both attach to Services (GAMMA) and Gateways alike. */
export type AttachableRoute = HttpRoute | GrpcRoute;

export function routeKindOf(route: AttachableRoute): RouteKind {
  return route.kind === 'GRPCRoute' ? 'GRPCRoute' : 'HTTPRoute';
}

export function routeNamespace(route: AttachableRoute): string {
  return route.metadata.namespace ?? 'default';
}

/**
 * How notes, compiled tables and route metadata name a route: `namespace/name` for an HTTPRoute,
 * `GRPCRoute/namespace/name` for a GRPCRoute — an HTTPRoute and a GRPCRoute often share a name (the
 * Service's), and one id for both would pin one's notes on the other.
 */
export function routeId(route: AttachableRoute): string {
  const id = `${routeNamespace(route)}/${route.metadata.name}`;
  return route.kind === 'GRPCRoute' ? `GRPCRoute/${id}` : id;
}

function refersToParent(ref: ParentReference, parent: RouteParent, namespace: string): boolean {
  if (ref.name !== parent.name || (ref.namespace ?? namespace) !== parent.namespace) return false;
  const kind = ref.kind ?? 'Gateway';
  if (kind !== parent.kind) return false;
  // A Service lives in the core group ("" or "core"); an omitted group is accepted too, since
  // upstream Istio samples attach to Services that way.
  if (kind === 'Service') return ref.group === undefined || ref.group === '' || ref.group === 'core';
  return ref.group === undefined || ref.group === GATEWAY_GROUP;
}

function selectsSection(ref: ParentReference, parent: RouteParent): boolean {
  if (ref.port !== undefined && ref.port !== parent.port) return false;
  if (ref.sectionName !== undefined && ref.sectionName !== parent.sectionName) return false;
  return true;
}

function allowsNamespace(parent: RouteParent, namespace: string): boolean {
  const allowed = parent.allowedRouteNamespaces ?? 'Same';
  if (allowed === 'All') return true;
  if (allowed === 'Same') return namespace === parent.namespace;
  return allowed.includes(namespace);
}

export interface Attachment {
  route: AttachableRoute;
  id: string;
  namespace: string;
  /** Service parents: a route from another namespace, applied only to that namespace's clients. */
  consumer: boolean;
  hostnames: HostnameBinding[];
}

/**
 * Whether a route attaches to the parent, and with which hostnames. A route whose parentRefs
 * name another resource, port or section is simply not attached; refusals a user would want
 * explained (namespace not allowed, no common hostname) add a note.
 */
export function attachRoute(route: AttachableRoute, parent: RouteParent, notes: RouteNote[]): Attachment | undefined {
  const namespace = routeNamespace(route);
  const id = routeId(route);
  const refs = route.spec.parentRefs ?? [];
  const refIndex = refs.findIndex((ref) => refersToParent(ref, parent, namespace) && selectsSection(ref, parent));
  if (refIndex < 0) return undefined;
  const refPath = `spec.parentRefs[${refIndex}]`;
  const routeHostnames = route.spec.hostnames ?? [];

  if (parent.kind === 'Service') {
    const consumer = namespace !== parent.namespace;
    if (consumer && namespace !== parent.clientNamespace) return undefined;
    if (routeHostnames.length > 0) {
      notes.push({
        code: 'HostnamesIgnored',
        level: 'info',
        route: id,
        path: 'spec.hostnames',
        message: `hostnames are ignored for routes attached to Service ${parent.namespace}/${parent.name}; match the Host header instead`,
      });
    }
    return { route, id, namespace, consumer, hostnames: [{}] };
  }

  if (!allowsNamespace(parent, namespace)) {
    notes.push({
      code: 'NotAllowedByListeners',
      level: 'warning',
      route: id,
      path: refPath,
      message: `Gateway ${parent.namespace}/${parent.name} does not allow routes from namespace ${namespace}`,
    });
    return undefined;
  }
  const hostnames = bindHostnames(parent.hostname, routeHostnames);
  if (hostnames.length === 0) {
    notes.push({
      code: 'NoMatchingListenerHostname',
      level: 'warning',
      route: id,
      path: 'spec.hostnames',
      message: `none of the route's hostnames intersects listener hostname ${parent.hostname}`,
    });
    return undefined;
  }
  return { route, id, namespace, consumer: false, hostnames };
}

function sharesHostname(a: Attachment, b: Attachment): boolean {
  return a.hostnames.some((x) =>
    b.hostnames.some((y) => x.hostname === undefined || y.hostname === undefined || intersectHostname(x.hostname, y.hostname)),
  );
}

/**
 * Gateway API (GRPCRouteSpec.hostnames): when an HTTPRoute and a GRPCRoute attached to the same
 * parent share a hostname, exactly one is accepted — the older, then the first by
 * `namespace/name` — and the other is refused with a note. On a Service (GAMMA) hostnames are
 * ignored, so every HTTPRoute and GRPCRoute pair there conflicts. Rules of the two kinds are
 * therefore never merged, as the spec requires.
 */
export function rejectConflictingRouteKinds(attachments: Attachment[], notes: RouteNote[]): Attachment[] {
  const firstKind = attachments[0]?.route.kind;
  if (attachments.every((a) => a.route.kind === firstKind)) return attachments;
  // By namespace/name, not by id: a GRPCRoute's id starts with its kind.
  const age = (a: Attachment) => creationTime(a.route.metadata.creationTimestamp);
  const name = (a: Attachment) => `${a.namespace}/${a.route.metadata.name}`;
  const byAge = [...attachments].sort((a, b) => compareAgeThenName(age(a), name(a), age(b), name(b)));
  const accepted = new Set<Attachment>();
  for (const attachment of byAge) {
    const winner = [...accepted].find((a) => a.route.kind !== attachment.route.kind && sharesHostname(a, attachment));
    if (!winner) {
      accepted.add(attachment);
      continue;
    }
    notes.push({
      code: 'RouteKindConflict',
      level: 'error',
      route: attachment.id,
      path: 'spec.parentRefs',
      message: `${winner.route.kind} ${routeNamespace(winner.route)}/${winner.route.metadata.name} is attached to the same parent with a common hostname and is older (or first by name); Gateway API accepts only one of an HTTPRoute and a GRPCRoute there, so this ${attachment.route.kind} is not used`,
    });
  }
  return attachments.filter((a) => accepted.has(a));
}
