import { AmbitError, type HttpRoute, type HttpRouteRule, type KubeObject } from '@ambit/shared';
import type { MeshSnapshot, ServiceInfo } from '../registry/model';
import type { Store, StoredObject } from '../store/types';
import { TOTAL_WEIGHT } from './canary-model';

/**
 * Manual traffic splits without a Canary: for a Service behind a waypoint, which Services (versions)
 * get which share of its requests, written as one HTTPRoute attached to the Service (GAMMA).
 */

export interface TrafficBackend {
  name: string;
  port: number | null;
  weight: number;
  versions: string[];
}

export interface TrafficCandidate {
  name: string;
  port: number | null;
  versions: string[];
}

export interface TrafficSplit {
  namespace: string;
  service: string;
  port: number | null;
  waypoint: string | null;
  route: string | null;
  managedBy: string | null;
  backends: TrafficBackend[];
  candidates: TrafficCandidate[];
  resourceVersion: string | null;
  revision: number | null;
}

export interface SplitBackendInput {
  name: string;
  weight: number;
  port?: number;
}

function serviceInfo(snapshot: MeshSnapshot, namespace: string, name: string): ServiceInfo | undefined {
  for (const info of snapshot.services.values()) if (info.namespace === namespace && info.name === name) return info;
  return undefined;
}

function versionsOf(snapshot: MeshSnapshot, info: ServiceInfo | undefined): string[] {
  if (!info) return [];
  const out = new Set<string>();
  for (const uid of snapshot.endpoints.get(info.key) ?? []) {
    const revision = snapshot.workloads.get(uid)?.canonicalRevision;
    if (revision) out.add(revision);
  }
  return [...out].sort();
}

function attachesTo(route: StoredObject, service: string): boolean {
  const refs = (route.spec as HttpRoute['spec'] | undefined)?.parentRefs ?? [];
  return refs.some((r) => r.kind === 'Service' && (r.group === undefined || r.group === '' || r.group === 'core') && r.name === service);
}

/** The HTTPRoute attached to the Service: the one named like it first, else the oldest. */
export function routeForService(store: Store, namespace: string, service: string): StoredObject | undefined {
  const routes = store.list('HTTPRoute', namespace).filter((r) => attachesTo(r, service));
  return (
    routes.find((r) => r.metadata.name === service) ??
    routes.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))[0]
  );
}

function managingCanary(route: StoredObject | undefined): string | null {
  const owners = (route?.metadata as { ownerReferences?: { kind: string; name: string }[] } | undefined)?.ownerReferences ?? [];
  return owners.find((o) => o.kind === 'Canary')?.name ?? null;
}

export function readTrafficSplit(store: Store, snapshot: MeshSnapshot, namespace: string, service: string): TrafficSplit {
  const stored = store.get({ kind: 'Service', namespace, name: service });
  if (!stored) throw new AmbitError('NotFound', `Service/${namespace}/${service} not found`);
  const info = serviceInfo(snapshot, namespace, service);
  const port = info?.ports[0]?.port ?? null;
  const route = routeForService(store, namespace, service);
  const candidates = store
    .list('Service', namespace)
    .filter((s) => !s.metadata.labels?.['gateway.networking.k8s.io/gateway-name'])
    .map((s) => {
      const ci = serviceInfo(snapshot, namespace, s.metadata.name);
      return { name: s.metadata.name, port: ci?.ports[0]?.port ?? null, versions: versionsOf(snapshot, ci) };
    });
  const versionsByName = new Map(candidates.map((c) => [c.name, c.versions]));
  const rules = (route?.spec as { rules?: HttpRouteRule[] } | undefined)?.rules ?? [];
  // The catch-all rule (no matches) carries the split; without one, the first rule.
  const rule = rules.find((r) => !r.matches || r.matches.length === 0) ?? rules[0];
  const backends: TrafficBackend[] = route
    ? (rule?.backendRefs ?? []).map((b) => ({
        name: b.name,
        port: b.port ?? null,
        weight: b.weight ?? 1,
        versions: versionsByName.get(b.name) ?? [],
      }))
    : [{ name: service, port, weight: TOTAL_WEIGHT, versions: versionsByName.get(service) ?? [] }];
  const history = route ? store.history({ kind: 'HTTPRoute', namespace, name: route.metadata.name }) : [];
  return {
    namespace,
    service,
    port,
    waypoint: info?.waypoint?.key ?? null,
    route: route?.metadata.name ?? null,
    managedBy: managingCanary(route),
    backends,
    candidates,
    resourceVersion: route?.metadata.resourceVersion ?? null,
    revision: history[history.length - 1]?.revision ?? null,
  };
}

export function listTrafficSplits(store: Store, snapshot: MeshSnapshot, namespace?: string): TrafficSplit[] {
  const out: TrafficSplit[] = [];
  for (const info of snapshot.services.values()) {
    if (namespace !== undefined && info.namespace !== namespace) continue;
    if (!info.waypoint || info.implementsWaypoint) continue;
    if (!store.get({ kind: 'Service', namespace: info.namespace, name: info.name })) continue;
    out.push(readTrafficSplit(store, snapshot, info.namespace, info.name));
  }
  return out.sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`));
}

/** Checks the requested split against the Service and its namespace; throws InvalidArgument naming the field. */
export function validateSplit(split: TrafficSplit, backends: readonly SplitBackendInput[]): void {
  const problems: { path: string; message: string }[] = [];
  if (!split.waypoint)
    problems.push({
      path: 'service',
      message: `${split.namespace}/${split.service} is not behind a waypoint: no proxy would apply the split`,
    });
  if (split.managedBy)
    problems.push({ path: 'service', message: `the route is managed by Canary ${split.managedBy}; use rollouts.* to move its weights` });
  const total = backends.reduce((sum, b) => sum + b.weight, 0);
  if (total !== TOTAL_WEIGHT) problems.push({ path: 'backends', message: `weights must sum to 100, not ${total}` });
  const seen = new Set<string>();
  backends.forEach((b, i) => {
    if (seen.has(b.name)) problems.push({ path: `backends[${i}].name`, message: `${b.name} is listed twice` });
    seen.add(b.name);
    if (!split.candidates.some((c) => c.name === b.name))
      problems.push({ path: `backends[${i}].name`, message: `no Service ${split.namespace}/${b.name}` });
  });
  const first = problems[0];
  if (first) throw new AmbitError('InvalidArgument', `invalid traffic split: ${first.path}: ${first.message}`, problems);
}

/** The HTTPRoute for the split: the existing route's name and parents, one rule with the weighted backends. */
export function splitRoute(store: Store, split: TrafficSplit, backends: readonly SplitBackendInput[]): KubeObject {
  const existing = split.route ? store.get({ kind: 'HTTPRoute', namespace: split.namespace, name: split.route }) : undefined;
  const spec = existing?.spec as HttpRoute['spec'] | undefined;
  const backendRefs = backends.map((b) => {
    const port = b.port ?? split.candidates.find((c) => c.name === b.name)?.port ?? split.port ?? undefined;
    return { group: '', kind: 'Service', name: b.name, ...(port ? { port } : {}), weight: b.weight };
  });
  const parentRefs = spec?.parentRefs ?? [{ group: '', kind: 'Service', name: split.service, ...(split.port ? { port: split.port } : {}) }];
  // Rules with matches stay as they are; the catch-all rule gets the split.
  const kept = (spec?.rules ?? []).filter((r) => r.matches && r.matches.length > 0);
  const { status: _status, ...rest } = (existing ?? {}) as KubeObject & { status?: unknown };
  const metadata = { ...(existing?.metadata ?? {}), name: split.route ?? split.service, namespace: split.namespace } as Record<
    string,
    unknown
  >;
  for (const field of ['uid', 'resourceVersion', 'generation', 'creationTimestamp']) delete metadata[field];
  return {
    ...rest,
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata as KubeObject['metadata'],
    spec: { ...spec, parentRefs, rules: [...kept, { backendRefs }] },
  };
}
