/**
 * Impact preview: the observed flows replayed through the evaluator against the mesh as it is and
 * as it would be with a draft, at the enforcement point that recorded each flow (a ztunnel record
 * against its workload's policies, a waypoint record against the waypoint's policies for the
 * service), listing the flows whose decision would change, grouped, with counts.
 */
import type { KubeObject } from '@ambit/shared';
import { type AuthzDecision, authzRequestOfFlow, type CompiledPolicy, evaluateAuthorization, type FlowRecord } from '@ambit/shared/authz';
import { buildSnapshot, type MeshSnapshot, REGISTRY_KINDS, type ServiceInfo } from '../registry/index';
import { waypointPoliciesOf, ztunnelPoliciesOf } from '../simulate/enforcement';
import type { ChangedFlowGroup, FlowDecisionSummary, ImpactReport } from './types';

const POLICY_KINDS = new Set(['AuthorizationPolicy', 'PeerAuthentication']);

function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The mesh with the draft's policies laid over the stored objects (same namespace/name replaces). */
export function snapshotWithDraft(stored: Iterable<KubeObject>, draft: readonly KubeObject[], base: MeshSnapshot): MeshSnapshot {
  const objects = new Map<string, KubeObject>();
  for (const o of stored) if ((REGISTRY_KINDS as readonly string[]).includes(o.kind)) objects.set(objectKey(o), o);
  for (const o of draft) if (POLICY_KINDS.has(o.kind)) objects.set(objectKey(o), o);
  return buildSnapshot(objects.values(), base.options);
}

/** Policies of each enforcement point, looked up once per snapshot. */
class EnforcementIndex {
  private readonly byIp = new Map<string, string>();
  private readonly cache = new Map<string, readonly CompiledPolicy[] | null>();

  constructor(private readonly snapshot: MeshSnapshot) {
    for (const w of snapshot.workloads.values()) for (const ip of w.addresses) this.byIp.set(ip, w.uid);
  }

  /** Undefined when the flow's enforcement point is no longer in the mesh. */
  policiesFor(flow: FlowRecord): readonly CompiledPolicy[] | undefined {
    const key = flow.reporter === 'ztunnel' ? `z|${flow.destinationIp}` : `w|${flow.destinationService ?? ''}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      found = (flow.reporter === 'ztunnel' ? this.ztunnel(flow.destinationIp) : this.waypoint(flow.destinationService)) ?? null;
      this.cache.set(key, found);
    }
    return found ?? undefined;
  }

  private ztunnel(ip: string): CompiledPolicy[] | undefined {
    const uid = this.byIp.get(ip);
    return uid === undefined ? undefined : ztunnelPoliciesOf(this.snapshot, { uid });
  }

  private waypoint(hostname: string | undefined): CompiledPolicy[] | undefined {
    if (hostname === undefined) return undefined;
    let service: ServiceInfo | undefined;
    for (const s of this.snapshot.services.values()) if (s.hostname === hostname) service = s;
    const waypoint = service?.waypoint && this.snapshot.waypoints.get(service.waypoint.key);
    return service && waypoint ? waypointPoliciesOf(this.snapshot, waypoint, service) : undefined;
  }
}

function summary(d: AuthzDecision): FlowDecisionSummary {
  const out: FlowDecisionSummary = { allowed: d.allowed, reason: d.reason };
  if (d.policy !== undefined) out.policy = d.policy;
  if (d.ruleIndex !== undefined) out.ruleIndex = d.ruleIndex;
  return out;
}

function groupKey(flow: FlowRecord, before: FlowDecisionSummary, after: FlowDecisionSummary): string {
  return [
    flow.reporter,
    flow.proxy,
    flow.sourcePrincipal ?? '',
    flow.sourceWorkload ?? '',
    flow.destinationWorkload ?? flow.destinationService ?? flow.destinationIp,
    flow.destinationPort,
    flow.method ?? '',
    flow.path ?? '',
    before.policy ?? '',
    after.policy ?? '',
  ].join('\u0000');
}

export function impactOfDraft(
  snapshot: MeshSnapshot,
  draft: MeshSnapshot,
  draftResources: readonly KubeObject[],
  flows: readonly FlowRecord[],
): ImpactReport {
  const before = new EnforcementIndex(snapshot);
  const after = new EnforcementIndex(draft);
  const groups = new Map<string, ChangedFlowGroup>();
  const totals = { allowToDeny: 0, denyToAllow: 0, unchanged: 0, unreplayable: 0 };
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const flow of flows) {
    if (flow.time < from) from = flow.time;
    if (flow.time > to) to = flow.time;
    const policiesBefore = before.policiesFor(flow);
    const policiesAfter = after.policiesFor(flow);
    if (!policiesBefore || !policiesAfter) {
      totals.unreplayable++;
      continue;
    }
    const request = authzRequestOfFlow(flow);
    const was = summary(evaluateAuthorization(policiesBefore, request));
    const will = summary(evaluateAuthorization(policiesAfter, request));
    if (was.allowed === will.allowed) {
      totals.unchanged++;
      continue;
    }
    if (was.allowed) totals.allowToDeny++;
    else totals.denyToAllow++;
    const key = groupKey(flow, was, will);
    const group = groups.get(key);
    if (group) {
      group.count++;
      if (flow.time > group.lastSeen) group.lastSeen = flow.time;
      continue;
    }
    const created: ChangedFlowGroup = {
      reporter: flow.reporter,
      proxy: flow.proxy,
      destination: flow.destinationWorkload ?? flow.destinationService ?? flow.destinationIp,
      destinationPort: flow.destinationPort,
      count: 1,
      lastSeen: flow.time,
      before: was,
      after: will,
    };
    if (flow.sourcePrincipal !== undefined) created.sourcePrincipal = flow.sourcePrincipal;
    if (flow.sourceWorkload !== undefined) created.sourceWorkload = flow.sourceWorkload;
    if (flow.method !== undefined) created.method = flow.method;
    if (flow.path !== undefined) created.path = flow.path;
    groups.set(key, created);
  }
  const changed = [...groups.values()].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
  const notes: string[] = ['request headers are not recorded: rules on headers are replayed as if the headers were absent'];
  const ignored = draftResources.filter((o) => !POLICY_KINDS.has(o.kind)).map(objectKey);
  if (ignored.length > 0) notes.push(`not policies, left out of the preview: ${ignored.join(', ')}`);
  if (totals.unreplayable > 0) notes.push(`${totals.unreplayable} flow(s) went to workloads or services no longer in the mesh`);
  return {
    draft: draftResources.filter((o) => POLICY_KINDS.has(o.kind)).map(objectKey),
    flows: flows.length,
    window: { from: flows.length > 0 ? from : 0, to },
    allowToDeny: changed.filter((g) => g.before.allowed),
    denyToAllow: changed.filter((g) => !g.before.allowed),
    totals,
    notes,
  };
}
