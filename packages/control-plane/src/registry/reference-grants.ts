/**
 * Gateway API ReferenceGrant: which references from other namespaces a namespace accepts. A
 * grant sits in the namespace of the objects referred to; its `from` entries name who may refer
 * (group, kind, namespace) and its `to` entries what to (group, kind, and one name or all); entries
 * OR. A reference within one namespace needs no grant; across namespaces, no grant, no reference.
 * The translator, the simulator and the analyzer all ask this one place.
 */
import type { ReferenceGrant } from '@ambit/shared';
import type { BackendReference, BackendResolution, BackendResolver, RouteKind, RouteParent } from '@ambit/shared/routing';

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The referring object's side: e.g. an HTTPRoute in namespace `shop`. */
export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

/** The object referred to: e.g. Service `payments/ledger`. */
export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

// The core group is written "" in Gateway API and "core" in some references; both mean the same.
function sameGroup(a: string, b: string): boolean {
  return a === b || ((a === '' || a === 'core') && (b === '' || b === 'core'));
}

export class ReferenceGrants {
  private readonly byNamespace = new Map<string, ReferenceGrant[]>();

  constructor(grants: Iterable<ReferenceGrant>) {
    for (const grant of grants) {
      const namespace = grant.metadata.namespace ?? 'default';
      const list = this.byNamespace.get(namespace);
      if (list) list.push(grant);
      else this.byNamespace.set(namespace, [grant]);
    }
  }

  /** True when `from` may refer to `to`: same namespace, or a grant in `to`'s namespace says so. */
  permits(from: ReferenceFrom, to: ReferenceTo): boolean {
    if (from.namespace === to.namespace) return true;
    return (this.byNamespace.get(to.namespace) ?? []).some(
      ({ spec }) =>
        spec.from.some((f) => sameGroup(f.group, from.group) && f.kind === from.kind && f.namespace === from.namespace) &&
        spec.to.some((t) => sameGroup(t.group, to.group) && t.kind === to.kind && (t.name === undefined || t.name === to.name)),
    );
  }

  /** May a route of `routeKind` in `routeNamespace` send traffic to Service `namespace/name`? (A grant names the kind it lets refer.) */
  permitsServiceBackend(routeNamespace: string, namespace: string, name: string, routeKind: RouteKind): boolean {
    return this.permits(
      { group: GATEWAY_API_GROUP, kind: routeKind, namespace: routeNamespace },
      { group: '', kind: 'Service', namespace, name },
    );
  }
}

/** What to create so that the reference is permitted, in the user's terms. */
export function missingServiceGrant(routeNamespace: string, namespace: string, name: string, routeKind: RouteKind): string {
  return `a ReferenceGrant in namespace ${namespace} from ${routeKind} in namespace ${routeNamespace} (group ${GATEWAY_API_GROUP}) to Service ${name} (group "")`;
}

/**
 * What every backendRef resolver (the translator's, the analyzer's) decides before looking the
 * Service up: only core-group Services are backends, and with `grants` (a route on a Gateway) a
 * Service of another namespace must be granted — permission before existence, so a route cannot
 * learn what another namespace holds. Undefined when the Service may be looked up.
 */
export function refusedServiceRef(
  ref: BackendReference,
  routeNamespace: string,
  routeKind: RouteKind,
  grants?: ReferenceGrants,
): BackendResolution | undefined {
  const group = ref.group ?? '';
  if ((group !== '' && group !== 'core') || (ref.kind ?? 'Service') !== 'Service') return { exists: false, reason: 'InvalidKind' };
  if (grants && !grants.permitsServiceBackend(routeNamespace, ref.namespace ?? routeNamespace, ref.name, routeKind))
    return { exists: false, reason: 'RefNotPermitted' };
  return undefined;
}

/**
 * Which parents' route tables enforce grants: a Gateway's (the waypoint) does; a Service's (GAMMA)
 * does not, as in Istio (it converts mesh routes with ReferenceGrant enforcement off) and as Gateway
 * API's mesh conformance expects (consumer routes name the producer's Service with no grant).
 * `resolver` makes the backend resolver, with the grants to enforce or without.
 */
export function resolversByParentKind(
  grants: ReferenceGrants,
  resolver: (grants?: ReferenceGrants) => BackendResolver,
): Readonly<Record<RouteParent['kind'], BackendResolver>> {
  return { Gateway: resolver(grants), Service: resolver() };
}
