import { hostnameCovers } from './hostname';
import type { CompiledMatch, CompiledPathMatch, CompiledRoute, CompiledValueMatch, RouteNote } from './types';

/** True when every path `inner` accepts is also accepted by `outer`. */
function pathCovers(outer: CompiledPathMatch, inner: CompiledPathMatch): boolean {
  if (outer.type === 'PathPrefix') {
    if (outer.value === '/') return true;
    if (inner.type === 'RegularExpression') return false;
    return inner.value === outer.value || inner.value.startsWith(`${outer.value}/`);
  }
  return outer.type === inner.type && outer.value === inner.value;
}

/** True when every condition in `outer` also appears, identically, in `inner`. */
function conditionsIncluded(outer: readonly CompiledValueMatch[], inner: readonly CompiledValueMatch[]): boolean {
  return outer.every((o) => inner.some((i) => i.name === o.name && i.type === o.type && i.value === o.value));
}

/** True when any request `inner` matches is matched by `outer` too (conservative: no false positives). */
export function matchCovers(outer: CompiledMatch, inner: CompiledMatch): boolean {
  if (outer.hostname !== undefined && (inner.hostname === undefined || !hostnameCovers(outer.hostname, inner.hostname))) return false;
  if (outer.method !== undefined && outer.method !== inner.method) return false;
  return (
    pathCovers(outer.path, inner.path) &&
    conditionsIncluded(outer.headers, inner.headers) &&
    conditionsIncluded(outer.queryParams, inner.queryParams)
  );
}

function describe(route: CompiledRoute): string {
  const { source } = route;
  return `${source.route} rule ${source.ruleIndex} match ${source.matchIndex}`;
}

/**
 * Notes every HTTPRoute match that earlier routes (in precedence order) fully shadow, so it can
 * never be used. `notePaths[i]` is the field path of `routes[i]`'s match in its HTTPRoute; a
 * match compiled once per hostname is reported only when shadowed for every hostname.
 */
export function reportShadowedRoutes(routes: readonly CompiledRoute[], notePaths: readonly string[], notes: RouteNote[]): void {
  const verdicts = new Map<string, { path: string; route: string; shadowedBy: CompiledRoute | undefined; reachable: boolean }>();
  routes.forEach((route, i) => {
    const path = notePaths[i] ?? '';
    const key = `${route.source.route} ${path}`;
    let shadowedBy: CompiledRoute | undefined;
    for (let j = 0; j < i && shadowedBy === undefined; j++) {
      const earlier = routes[j] as CompiledRoute;
      if (matchCovers(earlier.match, route.match)) shadowedBy = earlier;
    }
    const verdict = verdicts.get(key);
    if (verdict === undefined) verdicts.set(key, { path, route: route.source.route, shadowedBy, reachable: shadowedBy === undefined });
    else if (shadowedBy === undefined) verdict.reachable = true;
  });
  for (const { path, route, shadowedBy, reachable } of verdicts.values()) {
    if (reachable || shadowedBy === undefined) continue;
    notes.push({
      code: 'UnreachableMatch',
      level: 'warning',
      route,
      path,
      message: `never used: ${describe(shadowedBy)} takes precedence and matches every request this match would`,
    });
  }
}
