/**
 * Virtual hosts back into one route table. The translator puts hostname-bound routes (Gateway
 * parents) in one virtual host per hostname, each also listing the less specific routes covering
 * it, in table order; hostless routes go to `*`. This recovers each route's hostnames and the
 * table order.
 */
import { AmbitError } from '@ambit/shared/errors';
import { type CompiledMatch, type CompiledRoute, hostnameCovers } from '@ambit/shared/routing';
import type { DecodedEnvoyRoute } from './route-config';

export interface VirtualHost {
  hostname: string | undefined;
  routes: DecodedEnvoyRoute[];
}

export interface MergedRoute {
  route: CompiledRoute;
  faults: DecodedEnvoyRoute['faults'];
}

/**
 * One table from the virtual hosts. Each virtual host lists, in table order, the routes a
 * request for its hostname may use: its own, those of wildcards covering it, and the hostless
 * ones. A route's hostnames are the virtual hosts where it appears more often than its broader
 * hostnames explain; the table order is a merge that keeps every virtual host's order.
 */
export function mergeVirtualHosts(hosts: readonly VirtualHost[]): MergedRoute[] {
  const hostless = hosts.find((h) => h.hostname === undefined);
  const named = hosts.filter((h) => h.hostname !== undefined).sort((a, b) => broadness(a.hostname as string, b.hostname as string));
  if (named.length === 0) return (hostless?.routes ?? []).map((r) => ({ route: compiledRoute(r, undefined), faults: r.faults }));

  const hostlessNames = new Set((hostless?.routes ?? []).map((r) => r.name));
  const hostnamesOf = new Map<string, string[]>();
  for (const host of named) {
    const hostname = host.hostname as string;
    const counts = new Map<string, number>();
    for (const r of host.routes) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    for (const [routeName, count] of counts) {
      if (hostlessNames.has(routeName)) continue;
      const assigned = hostnamesOf.get(routeName) ?? [];
      const explained = assigned.filter((h) => h !== hostname && hostnameCovers(h, hostname)).length;
      if (count > explained) hostnamesOf.set(routeName, [...assigned, hostname]);
    }
  }

  const nodes = new Map<string, MergedRoute & { precedence: PrecedenceHint }>();
  const sequences: string[][] = [];
  const nodeFor = (r: DecodedEnvoyRoute, hostname: string | undefined): string => {
    const id = `${r.name} ${hostname ?? '*'}`;
    if (!nodes.has(id)) {
      const route = compiledRoute(r, hostname);
      nodes.set(id, { route, faults: r.faults, precedence: precedenceHint(route) });
    }
    return id;
  };
  for (const host of [...(hostless ? [hostless] : []), ...named]) {
    const seen = new Map<string, number>();
    const sequence: string[] = [];
    for (const r of host.routes) {
      if (hostlessNames.has(r.name)) {
        sequence.push(nodeFor(r, undefined));
        continue;
      }
      // The n-th occurrence here is the n-th most specific of the route's hostnames covering this one.
      const covering = (hostnamesOf.get(r.name) ?? [])
        .filter((h) => hostnameCovers(h, host.hostname as string))
        .sort((a, b) => compareHostnames(a, b));
      const n = seen.get(r.name) ?? 0;
      seen.set(r.name, n + 1);
      sequence.push(nodeFor(r, covering[n] ?? host.hostname));
    }
    sequences.push(sequence);
  }
  return topologicalMerge(nodes, sequences);
}

/** Broader hostnames first: wildcards by suffix length, then exact names. */
function broadness(a: string, b: string): number {
  const wa = a.startsWith('*.') ? 0 : 1;
  const wb = b.startsWith('*.') ? 0 : 1;
  return wa - wb || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Gateway API hostname precedence: more characters of an exact hostname, then of any hostname. */
function compareHostnames(a: string | undefined, b: string | undefined): number {
  const [ae, ac] = hostnameRank(a);
  const [be, bc] = hostnameRank(b);
  return be - ae || bc - ac;
}

function hostnameRank(hostname: string | undefined): [number, number] {
  if (hostname === undefined) return [0, 0];
  return [hostname.startsWith('*.') ? 0 : hostname.length, hostname.length];
}

function compiledRoute(r: DecodedEnvoyRoute, hostname: string | undefined): CompiledRoute {
  const match: CompiledMatch = hostname === undefined ? r.match : { hostname, ...r.match };
  return { match, source: r.source, action: r.action };
}

type PrecedenceHint = [number, number, number, number, number, string | undefined, string, number, number];

const PATH_RANK = { Exact: 3, PathPrefix: 2, RegularExpression: 1 } as const;

/** The part of the compiler's precedence key that survives in Envoy form (creation time does not). */
function precedenceHint(route: CompiledRoute): PrecedenceHint {
  const { match, source } = route;
  return [
    PATH_RANK[match.path.type],
    match.path.value.length,
    match.method === undefined ? 0 : 1,
    match.headers.length,
    match.queryParams.length,
    match.hostname,
    source.route,
    source.ruleIndex,
    source.matchIndex,
  ];
}

function compareHints(a: PrecedenceHint, b: PrecedenceHint): number {
  for (let i = 0; i < 5; i++) {
    const d = (b[i] as number) - (a[i] as number);
    if (d !== 0) return d;
  }
  return compareHostnames(a[5], b[5]) || (a[6] < b[6] ? -1 : a[6] > b[6] ? 1 : 0) || a[7] - b[7] || a[8] - b[8];
}

/**
 * Kahn's algorithm over "comes before" edges from every sequence; among routes free to go next,
 * the one the compiler's precedence would put first. Routes no virtual host orders against each
 * other never compete for the same request, so their relative order does not change routing.
 */
function topologicalMerge(nodes: Map<string, MergedRoute & { precedence: PrecedenceHint }>, sequences: readonly string[][]): MergedRoute[] {
  const after = new Map<string, Set<string>>();
  const pending = new Map<string, number>();
  for (const id of nodes.keys()) pending.set(id, 0);
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) {
      const from = sequence[i - 1] as string;
      const to = sequence[i] as string;
      if (from === to) continue;
      let next = after.get(from);
      if (!next) {
        next = new Set();
        after.set(from, next);
      }
      if (next.has(to)) continue;
      next.add(to);
      pending.set(to, (pending.get(to) ?? 0) + 1);
    }
  }
  const out: MergedRoute[] = [];
  const ready = [...pending].filter(([, n]) => n === 0).map(([id]) => id);
  while (ready.length > 0) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) {
      const candidate = nodes.get(ready[i] as string)?.precedence as PrecedenceHint;
      if (compareHints(candidate, nodes.get(ready[best] as string)?.precedence as PrecedenceHint) < 0) best = i;
    }
    const [id] = ready.splice(best, 1) as [string];
    const node = nodes.get(id) as MergedRoute;
    out.push({ route: node.route, faults: node.faults });
    for (const to of after.get(id) ?? []) {
      const left = (pending.get(to) ?? 0) - 1;
      pending.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  if (out.length !== nodes.size) {
    const message = 'virtual hosts order the same routes differently';
    throw new AmbitError('InvalidArgument', `RouteConfiguration: ${message}`, [{ path: 'virtualHosts', message }]);
  }
  return out;
}
