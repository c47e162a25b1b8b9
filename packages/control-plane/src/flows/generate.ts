/**
 * Least-privilege ALLOW policies for a namespace, drawn from the traffic the proxies allowed:
 * per destination workload selector (enforced at ztunnel) the principals and ports seen there;
 * per Service behind a waypoint (targetRefs, enforced at the waypoint) the principals, ports,
 * methods and paths seen there. ALLOW rules with HTTP attributes would never match at ztunnel,
 * so methods and paths only go into the waypoint's policies.
 */
import { type AuthorizationPolicy, type AuthorizationRule, encodeManifests } from '@ambit/shared';
import type { FlowRecord } from '@ambit/shared/authz';
import type { Labels, MeshSnapshot, ServiceInfo, WorkloadInfo } from '../registry/index';
import type { GeneratedPolicies } from './types';

const NAME_PREFIX = 'allow-observed-';
/** Labels the kubelet or a controller adds per pod: never a stable selector. */
const UNSTABLE_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name']);

/** The labels that select the workload's siblings: `app` (and `version`) when set, else its stable labels. */
function selectorOf(workload: WorkloadInfo): Labels {
  const { labels } = workload;
  if (labels.app !== undefined) return { app: labels.app };
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) if (!UNSTABLE_LABELS.has(key)) out[key] = labels[key] as string;
  return out;
}

function policyName(base: string): string {
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${NAME_PREFIX}${cleaned || 'workloads'}`.slice(0, 63).replace(/-+$/, '');
}

function sorted<T extends string | number>(values: Iterable<T>): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Principals with the same ports share one rule. */
function ztunnelRules(byPrincipal: Map<string, Set<number>>): AuthorizationRule[] {
  const byPorts = new Map<string, { ports: number[]; principals: string[] }>();
  for (const [principal, ports] of byPrincipal) {
    const list = sorted(ports);
    const key = list.join(',');
    let entry = byPorts.get(key);
    if (!entry) {
      entry = { ports: list, principals: [] };
      byPorts.set(key, entry);
    }
    entry.principals.push(principal);
  }
  return [...byPorts.values()]
    .sort((a, b) => a.ports.join(',').localeCompare(b.ports.join(',')))
    .map((e) => ({
      from: [{ source: { principals: sorted(e.principals) } }],
      to: [{ operation: { ports: e.ports.map(String) } }],
    }));
}

interface Operation {
  port: number;
  path: string;
  methods: Set<string>;
}

/** One rule per principal; one operation per (port, path) with the methods seen on it. */
function waypointRules(byPrincipal: Map<string, Map<string, Operation>>): AuthorizationRule[] {
  const rules: AuthorizationRule[] = [];
  for (const principal of sorted(byPrincipal.keys())) {
    const ops = [...(byPrincipal.get(principal) as Map<string, Operation>).values()].sort(
      (a, b) => a.port - b.port || a.path.localeCompare(b.path),
    );
    rules.push({
      from: [{ source: { principals: [principal] } }],
      to: ops.map((op) => ({ operation: { ports: [String(op.port)], paths: [op.path], methods: sorted(op.methods) } })),
    });
  }
  return rules;
}

function pathOnly(path: string): string {
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

export function generateLeastPrivilegePolicies(namespace: string, flows: readonly FlowRecord[], snapshot: MeshSnapshot): GeneratedPolicies {
  const trustDomain = snapshot.options.trustDomain;
  const byIp = new Map<string, WorkloadInfo>();
  for (const w of snapshot.workloads.values()) if (w.namespace === namespace) for (const ip of w.addresses) byIp.set(ip, w);
  const byHostname = new Map<string, ServiceInfo>();
  for (const s of snapshot.services.values()) if (s.namespace === namespace) byHostname.set(s.hostname, s);

  // selector key → selector and principal → ports
  const selectors = new Map<string, { selector: Labels; principals: Map<string, Set<number>> }>();
  // service key → service and principal → operations
  const services = new Map<string, { service: ServiceInfo; principals: Map<string, Map<string, Operation>> }>();
  let used = 0;
  let plaintext = 0;
  for (const flow of flows) {
    if (!flow.allowed) continue;
    if (flow.reporter === 'ztunnel') {
      const workload = byIp.get(flow.destinationIp);
      if (!workload || workload.implementsWaypoint) continue;
      used++;
      if (flow.sourcePrincipal === undefined) {
        plaintext++;
        continue;
      }
      const selector = selectorOf(workload);
      const key = JSON.stringify(selector);
      let entry = selectors.get(key);
      if (!entry) {
        entry = { selector, principals: new Map() };
        selectors.set(key, entry);
      }
      let ports = entry.principals.get(flow.sourcePrincipal);
      if (!ports) {
        ports = new Set();
        entry.principals.set(flow.sourcePrincipal, ports);
      }
      ports.add(flow.destinationPort);
    } else {
      const service = flow.destinationService === undefined ? undefined : byHostname.get(flow.destinationService);
      if (!service || flow.sourcePrincipal === undefined) continue;
      used++;
      let entry = services.get(service.key);
      if (!entry) {
        entry = { service, principals: new Map() };
        services.set(service.key, entry);
      }
      let ops = entry.principals.get(flow.sourcePrincipal);
      if (!ops) {
        ops = new Map();
        entry.principals.set(flow.sourcePrincipal, ops);
      }
      const path = pathOnly(flow.path ?? '/');
      const opKey = `${flow.destinationPort} ${path}`;
      let op = ops.get(opKey);
      if (!op) {
        op = { port: flow.destinationPort, path, methods: new Set() };
        ops.set(opKey, op);
      }
      op.methods.add(flow.method ?? 'GET');
    }
  }

  const policies: AuthorizationPolicy[] = [];
  for (const { selector, principals } of [...selectors.values()].sort((a, b) =>
    JSON.stringify(a.selector).localeCompare(JSON.stringify(b.selector)),
  )) {
    policies.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: policyName(Object.values(selector).join('-')), namespace },
      spec: { selector: { matchLabels: { ...selector } }, action: 'ALLOW', rules: ztunnelRules(principals) },
    });
  }
  for (const { service, principals } of [...services.values()].sort((a, b) => a.service.name.localeCompare(b.service.name))) {
    policies.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: policyName(`${service.name}-l7`), namespace },
      spec: { targetRefs: [{ group: '', kind: 'Service', name: service.name }], action: 'ALLOW', rules: waypointRules(principals) },
    });
  }
  const notes: string[] = [];
  if (used === 0) notes.push(`no allowed traffic to ${namespace} was observed in the window: nothing to generate`);
  if (plaintext > 0) notes.push(`${plaintext} plaintext connection(s) without a peer identity are not allowed by these policies`);
  if (services.size > 0) {
    notes.push('traffic through a waypoint reaches the workloads with the waypoint identity: the selector policies allow it at ztunnel');
  }
  notes.push(`principals are written with the trust domain ${trustDomain}; review paths before applying (they are exact)`);
  return { namespace, policies, yaml: policies.length > 0 ? encodeManifests(policies) : '', flows: used, notes };
}
