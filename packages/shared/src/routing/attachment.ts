import type { HttpRoute, ParentReference } from '../resources/gateway';
import { bindHostnames, type HostnameBinding } from './hostname';
import type { RouteNote, RouteParent } from './types';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export function routeNamespace(route: HttpRoute): string {
  return route.metadata.namespace ?? 'default';
}

export function routeId(route: HttpRoute): string {
  return `${routeNamespace(route)}/${route.metadata.name}`;
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
  route: HttpRoute;
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
export function attachRoute(route: HttpRoute, parent: RouteParent, notes: RouteNote[]): Attachment | undefined {
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
