/**
 * Every AuthorizationPolicy and PeerAuthentication with where it takes effect: its scope (mesh,
 * namespace, workload, waypoint), which proxies enforce it, what it applies to, and the analysis
 * messages about it — read from the snapshot's attachment, not worked out a second time.
 */
import type { AuthorizationPolicy, PeerAuthentication } from '@ambit/shared';
import { DRY_RUN_ANNOTATION, selectorMatches } from '@ambit/shared/authz';
import type { AnalysisMessage } from '../analysis/types';
import type { MeshSnapshot, WorkloadInfo } from '../registry/index';

export type PolicyScope = 'mesh' | 'namespace' | 'workload' | 'waypoint';
/** `both`: ztunnel enforces it, on workloads some of whose traffic arrives through a waypoint (with the waypoint's identity). */
export type PolicyEnforcement = 'ztunnel' | 'waypoint' | 'both';

export interface PolicySummary {
  kind: 'AuthorizationPolicy' | 'PeerAuthentication';
  namespace: string;
  name: string;
  scope: PolicyScope;
  enforcement: PolicyEnforcement;
  /** AuthorizationPolicy: ALLOW, DENY, AUDIT or CUSTOM; PeerAuthentication: its mTLS mode. */
  action: string;
  dryRun: boolean;
  selector?: Record<string, string>;
  targetRefs?: { group?: string; kind: string; name: string }[];
  rules: number;
  appliesTo: { workloads: string[]; services: string[]; waypoints: string[] };
  messages: { code: string; level: AnalysisMessage['level']; path: string; message: string }[];
  resourceVersion?: string;
  creationTimestamp?: string;
}

function behindWaypoint(snapshot: MeshSnapshot, w: WorkloadInfo): boolean {
  if (w.waypoint) return true;
  return Object.keys(w.services).some((key) => snapshot.services.get(key)?.waypoint !== undefined);
}

function keysListing(map: ReadonlyMap<string, readonly string[]>, key: string): string[] {
  const out: string[] = [];
  for (const [owner, names] of map) if (names.includes(key)) out.push(owner);
  return out.sort();
}

function messagesFor(messages: readonly AnalysisMessage[], kind: string, namespace: string, name: string): PolicySummary['messages'] {
  return messages
    .filter((m) => m.resource.kind === kind && (m.resource.namespace ?? '') === namespace && m.resource.name === name)
    .map((m) => ({ code: m.code, level: m.level, path: m.path, message: m.message }));
}

function base(object: AuthorizationPolicy | PeerAuthentication) {
  const out: Pick<PolicySummary, 'resourceVersion' | 'creationTimestamp'> = {};
  if (object.metadata.resourceVersion !== undefined) out.resourceVersion = String(object.metadata.resourceVersion);
  if (object.metadata.creationTimestamp !== undefined) out.creationTimestamp = String(object.metadata.creationTimestamp);
  return out;
}

function authorizationSummary(snapshot: MeshSnapshot, policy: AuthorizationPolicy, messages: readonly AnalysisMessage[]): PolicySummary {
  const namespace = policy.metadata.namespace ?? 'default';
  const name = policy.metadata.name;
  const key = `${namespace}/${name}`;
  const spec = policy.spec;
  const refs = [...(spec.targetRef ? [spec.targetRef] : []), ...(spec.targetRefs ?? [])];
  const selector = spec.selector?.matchLabels;
  const scope: PolicyScope =
    refs.length > 0 ? 'waypoint' : selector ? 'workload' : namespace === snapshot.options.rootNamespace ? 'mesh' : 'namespace';
  const workloads: WorkloadInfo[] = [];
  if (refs.length === 0) {
    for (const [uid, names] of snapshot.policies.workloadPolicies) {
      const w = snapshot.workloads.get(uid);
      if (w && names.includes(key)) workloads.push(w);
    }
  }
  const enforcement: PolicyEnforcement =
    refs.length > 0 ? 'waypoint' : workloads.some((w) => behindWaypoint(snapshot, w)) ? 'both' : 'ztunnel';
  const summary: PolicySummary = {
    kind: 'AuthorizationPolicy',
    namespace,
    name,
    scope,
    enforcement,
    action: spec.action ?? 'ALLOW',
    dryRun: policy.metadata.annotations?.[DRY_RUN_ANNOTATION] === 'true',
    rules: spec.rules?.length ?? 0,
    appliesTo: {
      workloads: workloads.map((w) => `${w.namespace}/${w.name}`).sort(),
      services: keysListing(snapshot.policies.servicePolicies, key).map((k) => {
        const s = snapshot.services.get(k);
        return s ? `${s.namespace}/${s.name}` : k;
      }),
      waypoints: keysListing(snapshot.policies.waypointPolicies, key),
    },
    messages: messagesFor(messages, 'AuthorizationPolicy', namespace, name),
    ...base(policy),
  };
  if (selector) summary.selector = { ...selector };
  if (refs.length > 0)
    summary.targetRefs = refs.map((r) => ({ ...(r.group !== undefined ? { group: r.group } : {}), kind: r.kind, name: r.name }));
  return summary;
}

function peerAuthenticationSummary(snapshot: MeshSnapshot, pa: PeerAuthentication, messages: readonly AnalysisMessage[]): PolicySummary {
  const namespace = pa.metadata.namespace ?? 'default';
  const name = pa.metadata.name;
  const selector = pa.spec.selector?.matchLabels;
  const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
  const mesh = namespace === snapshot.options.rootNamespace;
  const workloads: string[] = [];
  for (const w of snapshot.workloads.values()) {
    if (!mesh && w.namespace !== namespace) continue;
    if (hasSelector && !selectorMatches(selector, w.labels)) continue;
    workloads.push(`${w.namespace}/${w.name}`);
  }
  const summary: PolicySummary = {
    kind: 'PeerAuthentication',
    namespace,
    name,
    scope: hasSelector ? 'workload' : mesh ? 'mesh' : 'namespace',
    enforcement: 'ztunnel',
    action: pa.spec.mtls?.mode ?? 'UNSET',
    dryRun: false,
    rules: Object.keys(pa.spec.portLevelMtls ?? {}).length,
    appliesTo: { workloads: workloads.sort(), services: [], waypoints: [] },
    messages: messagesFor(messages, 'PeerAuthentication', namespace, name),
    ...base(pa),
  };
  if (hasSelector) summary.selector = { ...selector };
  return summary;
}

/** Every policy of the snapshot (or of one namespace), sorted by kind, namespace and name. */
export function summarizePolicies(
  snapshot: MeshSnapshot,
  messages: readonly AnalysisMessage[],
  options: { namespace?: string } = {},
): PolicySummary[] {
  const out: PolicySummary[] = [];
  for (const policy of snapshot.policies.authorizationPolicies.values()) {
    if (options.namespace === undefined || policy.metadata.namespace === options.namespace)
      out.push(authorizationSummary(snapshot, policy, messages));
  }
  for (const pa of snapshot.policies.peerAuthentications.values()) {
    if (options.namespace === undefined || pa.metadata.namespace === options.namespace)
      out.push(peerAuthenticationSummary(snapshot, pa, messages));
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
