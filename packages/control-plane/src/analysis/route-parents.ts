import type { Gateway, Service } from '@ambit/shared';
import { selectorMatches } from '@ambit/shared/authz';
import type { AttachableRoute, RouteParent } from '@ambit/shared/routing';
import type { AnalysisContext } from './context';
import { namespaceOf } from './message';
import { parentTargetOf, type ReferencedObject } from './object-refs';

/**
 * The parents HTTPRoutes and GRPCRoutes are compiled against, as a waypoint serves them: each port of a
 * Service, each listener of a Gateway.
 */

export function targetKey(target: ReferencedObject): string {
  return `${target.kind}/${target.namespace}/${target.name}`;
}

export interface Parent {
  target: ReferencedObject;
  parent: RouteParent;
}

/**
 * Every parent some route names: each port of a Service, once for its own namespace's clients
 * and once per namespace with consumer routes to it (GAMMA); each listener of a Gateway.
 */
export function parentsOf(ctx: AnalysisContext, routes: readonly AttachableRoute[]): Parent[] {
  const clients = new Map<string, { target: ReferencedObject; namespaces: Set<string> }>();
  for (const route of routes) {
    for (const ref of route.spec.parentRefs ?? []) {
      const target = parentTargetOf(ref, namespaceOf(route));
      if ('unsupported' in target) continue;
      const key = targetKey(target);
      const entry = clients.get(key) ?? { target, namespaces: new Set([target.namespace]) };
      entry.namespaces.add(namespaceOf(route));
      clients.set(key, entry);
    }
  }
  const out: Parent[] = [];
  for (const { target, namespaces } of clients.values()) {
    const { namespace, name } = target;
    if (target.kind === 'Service') {
      const service = ctx.get<Service>('Service', namespace, name);
      for (const port of service?.spec.ports ?? []) {
        for (const clientNamespace of namespaces) {
          const parent: RouteParent = { kind: 'Service', namespace, name, port: port.port, clientNamespace };
          if (port.name) parent.sectionName = port.name;
          out.push({ target, parent });
        }
      }
    } else {
      const gateway = ctx.get<Gateway>('Gateway', namespace, name);
      for (const listener of gateway?.spec.listeners ?? []) {
        const parent: RouteParent = {
          kind: 'Gateway',
          namespace,
          name,
          port: listener.port,
          sectionName: listener.name,
          allowedRouteNamespaces: allowedNamespaces(ctx, listener.allowedRoutes),
        };
        if (listener.hostname) parent.hostname = listener.hostname;
        out.push({ target, parent });
      }
    }
  }
  return out;
}

interface AllowedRoutes {
  namespaces?: { from?: string; selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } };
}

/** A listener's `allowedRoutes.namespaces`; a selector with expressions is taken as All rather than guessed. */
function allowedNamespaces(ctx: AnalysisContext, allowedRoutes: unknown): RouteParent['allowedRouteNamespaces'] {
  const from = (allowedRoutes as AllowedRoutes | undefined)?.namespaces;
  if (from?.from === 'All') return 'All';
  if (from?.from !== 'Selector') return 'Same';
  if (from.selector?.matchExpressions?.length) return 'All';
  const selector = from.selector?.matchLabels ?? {};
  return ctx
    .ofKind('Namespace')
    .filter((ns) => selectorMatches(selector, ns.metadata.labels ?? {}))
    .map((ns) => ns.metadata.name);
}
