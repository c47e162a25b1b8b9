/**
 * Gateway API hostnames: exact names, or `*.suffix` wildcards that match one or more labels
 * in front of the suffix (`*.example.com` matches `a.example.com` and `a.b.example.com`, not
 * `example.com`). Comparison is case-insensitive.
 */

function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** True when `pattern` (exact or wildcard) matches `hostname` (exact or a narrower wildcard). */
export function hostnameCovers(pattern: string, hostname: string): boolean {
  if (pattern === hostname) return true;
  if (!isWildcard(pattern)) return false;
  const suffix = pattern.slice(1);
  return hostname.length > suffix.length && hostname.endsWith(suffix);
}

/** The hostname both a listener and a route accept, or undefined when they share none. */
export function intersectHostname(listener: string, route: string): string | undefined {
  const a = listener.toLowerCase();
  const b = route.toLowerCase();
  if (hostnameCovers(a, b)) return b;
  if (hostnameCovers(b, a)) return a;
  return undefined;
}

export interface HostnameBinding {
  /** What the request's host must match; undefined: any host. */
  hostname?: string;
  /** The route's own hostname this came from, which decides precedence (spec: SHOULD). */
  routeHostname?: string;
}

/**
 * The hostnames a route serves on a listener: the route's hostnames narrowed to the listener's,
 * or the listener's when the route names none. Empty when they do not intersect.
 */
export function bindHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): HostnameBinding[] {
  if (routeHostnames.length === 0) return [listenerHostname === undefined ? {} : { hostname: listenerHostname.toLowerCase() }];
  const bindings: HostnameBinding[] = [];
  const seen = new Set<string>();
  for (const routeHostname of routeHostnames) {
    const lower = routeHostname.toLowerCase();
    const hostname = listenerHostname === undefined ? lower : intersectHostname(listenerHostname, lower);
    if (hostname === undefined || seen.has(hostname)) continue;
    seen.add(hostname);
    bindings.push({ hostname, routeHostname: lower });
  }
  return bindings;
}

/**
 * Precedence of a route hostname, compared highest first: characters of a non-wildcard
 * hostname, then characters of any hostname. A route without hostnames ranks last.
 */
export function hostnamePrecedence(routeHostname: string | undefined): [number, number] {
  if (routeHostname === undefined) return [0, 0];
  return [isWildcard(routeHostname) ? 0 : routeHostname.length, routeHostname.length];
}

/** The host of a Host/:authority value without its port, lowercased: `[::1]:80` → `[::1]`. */
export function hostWithoutPort(authority: string): string {
  let end = authority.length;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close >= 0) end = close + 1;
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  // Host names are case-insensitive; a trailing dot names the same host.
  let host = end === authority.length ? authority : authority.slice(0, end);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.toLowerCase();
}

/** The port in a Host/:authority value, if it names one. */
export function portOfAuthority(authority: string): number | undefined {
  const bracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || colon < bracket) return undefined;
  if (bracket < 0 && authority.indexOf(':') !== colon) return undefined;
  const port = Number(authority.slice(colon + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}
