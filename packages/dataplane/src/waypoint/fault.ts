/**
 * Fault injection as the waypoint runs it: Envoy's `envoy.filters.http.fault` per-route (or
 * per weighted backend) config, which the control plane emits for an HTTPRoute `ExtensionRef`
 * filter; its shape (RouteFault) is shared with the control plane's translator.
 */
import type { CompiledBackend, CompiledFilter, CompiledRoute } from '@ambit/shared/routing';
import type { RouteFault } from '@ambit/shared/xds';

/** Where a fault is configured: the route (rule) or one of its weighted backends, which takes precedence. */
export type FaultScope = CompiledRoute | CompiledBackend;

/** True for `percent` percent of calls; `random` returns [0, 1) like Math.random. */
export function rollPercent(percent: number, random: () => number = Math.random): boolean {
  return percent >= 100 || (percent > 0 && random() * 100 < percent);
}

/** Resolves an ExtensionRef filter (in the route's namespace) to a fault; undefined when it names none. */
export type ExtensionFaultResolver = (ref: { group: string; kind: string; name: string }, namespace: string) => RouteFault | undefined;

/**
 * The faults a compiled table's ExtensionRef filters stand for, keyed like a decoded table's
 * (route, or backend for backend-level filters): what the control plane would have sent over
 * RDS, for callers that hold a compiled table (simulator, tests).
 */
export function faultsOfExtensionRefs(routes: readonly CompiledRoute[], resolve: ExtensionFaultResolver): Map<FaultScope, RouteFault> {
  const out = new Map<FaultScope, RouteFault>();
  for (const route of routes) {
    if (route.action.type !== 'Forward') continue;
    const namespace = route.source.route.slice(0, route.source.route.indexOf('/'));
    const routeFault = resolveFilters(route.action.filters, namespace, resolve);
    if (routeFault) out.set(route, routeFault);
    for (const backend of route.action.backends) {
      const backendFault = resolveFilters(backend.filters, namespace, resolve);
      if (backendFault) out.set(backend, backendFault);
    }
  }
  return out;
}

function resolveFilters(filters: readonly CompiledFilter[], namespace: string, resolve: ExtensionFaultResolver): RouteFault | undefined {
  let fault: RouteFault | undefined;
  for (const filter of filters) if (filter.type === 'ExtensionRef') fault = resolve(filter, namespace) ?? fault;
  return fault;
}
