/**
 * The mTLS audit: for the mesh, each namespace and each workload, the mode PeerAuthentication
 * gives it (STRICT / PERMISSIVE, as ztunnel enforces it, through the shared
 * `effectivePeerAuthentication`) and whether plaintext was observed; every observed edge with its
 * security policy and the principals on both sides; and findings an auditor acts on. Built from
 * the same telemetry as the topology (a workload graph, client → workload), so what the audit
 * lists is what the topology draws. CSV and JSON exports are for handing to auditors.
 */
import type { PeerAuthentication } from '@ambit/shared';
import { effectivePeerAuthentication } from '@ambit/shared/authz';
import type { MeshSnapshot } from '../registry/index';
import { buildTopology } from './build';
import { type CsvValue, toCsv } from './csv';
import type { EdgeProtocol, EdgeSecurityPolicy, NodeKind, Reporter, TopologyGraph, TopologyNode } from './graph';
import { MeshIndex, type WorkloadGroup } from './mesh-index';
import type { TopologyTelemetry } from './telemetry';

export type MtlsMode = 'STRICT' | 'PERMISSIVE';

/** PLAINTEXT_OBSERVED wins over the mode: what happened matters more than what was configured. */
export type MtlsStatus = MtlsMode | 'PLAINTEXT_OBSERVED' | 'OUTSIDE_MESH';

export interface AuditWorkload {
  namespace: string;
  name: string;
  pods: number;
  identities: string[];
  inMesh: boolean;
  mode: MtlsMode;
  /** `<ns>/<name>` of the PeerAuthentication that sets the mode; absent when none does (PERMISSIVE by default). */
  policy?: string;
  /** Ports whose mode differs from the workload's (portLevelMtls). */
  portModes?: Record<string, MtlsMode>;
  plaintextObserved: boolean;
  status: MtlsStatus;
}

export interface AuditNamespace {
  name: string;
  ambient: boolean;
  /** The namespace-wide mode (namespace policy, else mesh policy, else PERMISSIVE). */
  mode: MtlsMode;
  policy?: string;
  workloads: number;
  strict: number;
  permissive: number;
  outsideMesh: number;
  plaintextObserved: boolean;
  status: MtlsStatus;
}

export interface AuditMesh {
  rootNamespace: string;
  mode: MtlsMode;
  policy?: string;
  workloads: number;
  strict: number;
  permissive: number;
  outsideMesh: number;
  edges: number;
  mtlsEdges: number;
  plaintextEdges: number;
  plaintextObserved: boolean;
  status: MtlsStatus;
}

export interface AuditPeer {
  id: string;
  kind: NodeKind;
  namespace: string;
  name: string;
  inMesh: boolean;
}

export interface AuditEdge {
  id: string;
  source: AuditPeer;
  destination: AuditPeer;
  protocol: EdgeProtocol;
  policy: EdgeSecurityPolicy;
  mtlsShare: number | null;
  sourcePrincipals: string[];
  destinationPrincipals: string[];
  /** The destination workload's mode, when it is a workload. */
  destinationMode?: MtlsMode;
  requestsPerSecond: number;
  bytesPerSecond: number;
  waypoint?: string;
  reporters: Reporter[];
}

export type FindingCode = 'PlaintextIntoMesh' | 'OutsideMeshClient' | 'PermissiveWhereStrictExpected';

export interface AuditFinding {
  code: FindingCode;
  severity: 'error' | 'warning';
  message: string;
  namespace?: string;
  workload?: string;
  /** Edge id, for links to the topology. */
  edge?: string;
}

export interface MtlsAudit {
  /** Telemetry time (ms) and window the observations cover. */
  timestamp: number;
  window: { seconds: number };
  mesh: AuditMesh;
  namespaces: AuditNamespace[];
  workloads: AuditWorkload[];
  edges: AuditEdge[];
  findings: AuditFinding[];
}

export interface MtlsAuditOptions {
  /**
   * Where STRICT is expected: every ambient namespace (true, the default), nowhere (false), or
   * the namespaces listed.
   */
  expectStrict?: boolean | readonly string[];
}

function keyOf(pa: PeerAuthentication | undefined): string | undefined {
  return pa ? `${pa.metadata.namespace ?? 'default'}/${pa.metadata.name}` : undefined;
}

/** DISABLE cannot be honoured in ambient (every hop between proxies is mTLS) and acts as PERMISSIVE. */
function ambientMode(mode: string | undefined): MtlsMode | undefined {
  if (mode === 'STRICT') return 'STRICT';
  if (mode === 'PERMISSIVE' || mode === 'DISABLE') return 'PERMISSIVE';
  return undefined;
}

interface ModeDecision {
  mode: MtlsMode;
  policy?: string;
  portModes?: Record<string, MtlsMode>;
}

function decideMode(
  policies: readonly PeerAuthentication[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
  root: string,
): ModeDecision {
  const effective = effectivePeerAuthentication(policies, { namespace, labels }, root);
  const decision: ModeDecision = { mode: ambientMode(effective.mode) ?? 'PERMISSIVE' };
  // The most specific policy that names a mode is the one that set it.
  const setter = [effective.workload, effective.namespace, effective.mesh].find((pa) => ambientMode(pa?.spec.mtls?.mode) !== undefined);
  const policy = keyOf(setter);
  if (policy) decision.policy = policy;
  const ports: Record<string, MtlsMode> = {};
  for (const [port, setting] of Object.entries(effective.workload?.spec.portLevelMtls ?? {})) {
    const mode = ambientMode(setting.mode);
    if (mode && mode !== decision.mode) ports[port] = mode;
  }
  if (Object.keys(ports).length > 0) decision.portModes = ports;
  return decision;
}

function peerOf(node: TopologyNode): AuditPeer {
  return { id: node.id, kind: node.kind, namespace: node.namespace, name: node.name, inMesh: node.inMesh };
}

function describe(peer: AuditPeer): string {
  if (peer.kind === 'unknown') return 'an unknown client';
  return peer.namespace ? `${peer.kind} ${peer.namespace}/${peer.name}` : `${peer.kind} ${peer.name}`;
}

export function buildMtlsAudit(telemetry: TopologyTelemetry, snapshot: MeshSnapshot, options: MtlsAuditOptions = {}): MtlsAudit {
  const graph = buildTopology(telemetry, snapshot, { graphType: 'workload', injectServiceNodes: false, includeIdle: false });
  const index = new MeshIndex(snapshot);
  const root = snapshot.options.rootNamespace;
  const policies = [...snapshot.policies.peerAuthentications.values()];
  const expect = options.expectStrict ?? true;
  const strictExpected = (ns: string): boolean =>
    expect === true ? (snapshot.namespaces.get(ns)?.ambient ?? false) : expect === false ? false : expect.includes(ns);

  // A waypoint's own pods are infrastructure, not audited workloads.
  const groups = [...index.workloads.values()].filter((g) => !g.implementsWaypoint).sort(byNamespaceName);
  const modes = new Map(groups.map((g) => [workloadNodeId(g), decideWorkloadMode(g, policies, root)]));
  const { edges, findings, plaintextInto } = auditEdges(graph, modes);
  const workloads = groups.map((group): AuditWorkload => {
    const id = workloadNodeId(group);
    const decision = modes.get(id) as ModeDecision;
    const plaintextObserved = plaintextInto.has(id);
    const workload: AuditWorkload = {
      namespace: group.namespace,
      name: group.name,
      pods: group.pods.length,
      identities: [...new Set(group.pods.map((p) => p.identity))].sort(),
      inMesh: group.ambient,
      mode: decision.mode,
      plaintextObserved,
      status: !group.ambient ? 'OUTSIDE_MESH' : plaintextObserved ? 'PLAINTEXT_OBSERVED' : decision.mode,
    };
    if (decision.policy) workload.policy = decision.policy;
    if (decision.portModes) workload.portModes = decision.portModes;
    return workload;
  });

  // Namespaces.
  const namespaces: AuditNamespace[] = [];
  for (const info of [...snapshot.namespaces.values()].sort((a, b) => compare(a.name, b.name))) {
    const inNamespace = workloads.filter((w) => w.namespace === info.name);
    const decision = decideMode(policies, info.name, {}, root);
    const plaintextObserved = inNamespace.some((w) => w.plaintextObserved);
    const ns: AuditNamespace = {
      name: info.name,
      ambient: info.ambient,
      mode: decision.mode,
      workloads: inNamespace.length,
      strict: inNamespace.filter((w) => w.inMesh && w.mode === 'STRICT').length,
      permissive: inNamespace.filter((w) => w.inMesh && w.mode === 'PERMISSIVE').length,
      outsideMesh: inNamespace.filter((w) => !w.inMesh).length,
      plaintextObserved,
      status: !info.ambient ? 'OUTSIDE_MESH' : plaintextObserved ? 'PLAINTEXT_OBSERVED' : decision.mode,
    };
    if (decision.policy) ns.policy = decision.policy;
    namespaces.push(ns);
    if (info.ambient && strictExpected(info.name)) {
      if (decision.mode === 'PERMISSIVE') {
        findings.push({
          code: 'PermissiveWhereStrictExpected',
          severity: 'warning',
          message: `namespace ${info.name} is PERMISSIVE${decision.policy ? ` (${decision.policy})` : ' (no PeerAuthentication sets STRICT)'}: its ${ns.permissive} mesh workload(s) accept plaintext`,
          namespace: info.name,
        });
      } else {
        for (const w of inNamespace.filter((w) => w.inMesh && w.mode === 'PERMISSIVE')) {
          findings.push({
            code: 'PermissiveWhereStrictExpected',
            severity: 'warning',
            message: `workload ${w.namespace}/${w.name} is PERMISSIVE${w.policy ? ` (${w.policy})` : ''} in STRICT namespace ${info.name}`,
            namespace: w.namespace,
            workload: w.name,
          });
        }
      }
    }
  }

  const meshDecision = decideMode(policies, root, {}, root);
  const inMesh = workloads.filter((w) => w.inMesh);
  const plaintextObserved = plaintextInto.size > 0;
  const mesh: AuditMesh = {
    rootNamespace: root,
    mode: meshDecision.mode,
    workloads: workloads.length,
    strict: inMesh.filter((w) => w.mode === 'STRICT').length,
    permissive: inMesh.filter((w) => w.mode === 'PERMISSIVE').length,
    outsideMesh: workloads.length - inMesh.length,
    edges: edges.length,
    mtlsEdges: edges.filter((e) => e.policy === 'mutual_tls').length,
    plaintextEdges: edges.filter((e) => e.policy === 'none' || e.policy === 'mixed').length,
    plaintextObserved,
    status: plaintextObserved ? 'PLAINTEXT_OBSERVED' : meshDecision.mode,
  };
  if (meshDecision.policy) mesh.policy = meshDecision.policy;

  const severity = { error: 0, warning: 1 };
  findings.sort((a, b) => severity[a.severity] - severity[b.severity] || compare(a.code, b.code) || compare(a.message, b.message));
  return { timestamp: graph.timestamp, window: graph.window, mesh, namespaces, workloads, edges, findings: findings.map(withoutUndefined) };
}

function workloadNodeId(group: WorkloadGroup): string {
  return `wl:${group.namespace}/${group.name}`;
}

/** Every observed edge with its security, and the findings on edges: plaintext into the mesh, clients from outside it. */
function auditEdges(graph: TopologyGraph, modes: ReadonlyMap<string, ModeDecision>) {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges: AuditEdge[] = [];
  const findings: AuditFinding[] = [];
  const plaintextInto = new Set<string>();
  for (const e of graph.edges) {
    const source = peerOf(nodes.get(e.source) as TopologyNode);
    const destination = peerOf(nodes.get(e.target) as TopologyNode);
    const edge: AuditEdge = {
      id: e.id,
      source,
      destination,
      protocol: e.protocol,
      policy: e.security.policy,
      mtlsShare: e.security.mtlsShare,
      sourcePrincipals: e.security.sourcePrincipals,
      destinationPrincipals: e.security.destinationPrincipals,
      requestsPerSecond: e.requestsPerSecond,
      bytesPerSecond: e.bytesPerSecond,
      reporters: e.reporters,
    };
    const destinationMode = modes.get(destination.id)?.mode;
    if (destinationMode) edge.destinationMode = destinationMode;
    if (e.waypoint) edge.waypoint = e.waypoint;
    edges.push(edge);
    const plaintext = e.security.policy === 'none' || e.security.policy === 'mixed';
    const intoMesh = destination.inMesh && (destination.kind === 'workload' || destination.kind === 'service');
    const workload = destination.kind === 'workload' ? destination.name : undefined;
    if (plaintext && intoMesh) {
      plaintextInto.add(destination.id);
      const mode =
        destinationMode === 'STRICT' ? ', although its PeerAuthentication is STRICT' : destinationMode ? ` (${destinationMode})` : '';
      findings.push({
        code: 'PlaintextIntoMesh',
        severity: 'error',
        message: `${e.security.policy === 'mixed' ? 'some ' : ''}plaintext traffic from ${describe(source)} into mesh ${describe(destination)}${mode}`,
        namespace: destination.namespace,
        workload,
        edge: e.id,
      });
    }
    if (intoMesh && !source.inMesh && source.kind !== 'waypoint') {
      findings.push({
        code: 'OutsideMeshClient',
        severity: 'warning',
        message: `${describe(source)}, outside the mesh, talks to mesh ${describe(destination)}`,
        namespace: destination.namespace,
        workload,
        edge: e.id,
      });
    }
  }
  return { edges, findings, plaintextInto };
}

/** A workload's mode: its pods usually share labels; if they differ, the weakest pod's mode counts. */
function decideWorkloadMode(group: WorkloadGroup, policies: readonly PeerAuthentication[], root: string): ModeDecision {
  let weakest: ModeDecision | undefined;
  for (const pod of group.pods) {
    const decision = decideMode(policies, pod.namespace, pod.labels, root);
    if (!weakest || (weakest.mode === 'STRICT' && decision.mode === 'PERMISSIVE')) weakest = decision;
  }
  return weakest ?? { mode: 'PERMISSIVE' };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byNamespaceName(a: WorkloadGroup, b: WorkloadGroup): number {
  return compare(a.namespace, b.namespace) || compare(a.name, b.name);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ── exports ────────────────────────────────────────────────────────────────────────────────

export type MtlsAuditTable = 'edges' | 'workloads' | 'namespaces' | 'findings';

const iso = (ms: number): string => new Date(ms).toISOString();
const joined = (values: readonly string[] | undefined): string => (values ?? []).join(' ');

/** One table of the audit as CSV (RFC 4180; see csv.ts); `edges` is the evidence auditors ask for first. */
export function mtlsAuditToCsv(audit: MtlsAudit, table: MtlsAuditTable = 'edges'): string {
  const observed = iso(audit.timestamp);
  switch (table) {
    case 'edges':
      return toCsv(
        [
          'observed_at',
          'window_seconds',
          'source_kind',
          'source_namespace',
          'source',
          'source_principals',
          'destination_kind',
          'destination_namespace',
          'destination',
          'destination_principals',
          'security_policy',
          'mtls_share',
          'destination_mode',
          'protocol',
          'requests_per_second',
          'bytes_per_second',
          'waypoint',
          'reporters',
        ],
        audit.edges.map((e): CsvValue[] => [
          observed,
          audit.window.seconds,
          e.source.kind,
          e.source.namespace,
          e.source.name,
          joined(e.sourcePrincipals),
          e.destination.kind,
          e.destination.namespace,
          e.destination.name,
          joined(e.destinationPrincipals),
          e.policy,
          e.mtlsShare,
          e.destinationMode,
          e.protocol,
          e.requestsPerSecond,
          e.bytesPerSecond,
          e.waypoint,
          joined(e.reporters),
        ]),
      );
    case 'workloads':
      return toCsv(
        [
          'observed_at',
          'namespace',
          'workload',
          'pods',
          'identities',
          'in_mesh',
          'mode',
          'policy',
          'port_modes',
          'plaintext_observed',
          'status',
        ],
        audit.workloads.map((w): CsvValue[] => [
          observed,
          w.namespace,
          w.name,
          w.pods,
          joined(w.identities),
          w.inMesh,
          w.mode,
          w.policy,
          Object.entries(w.portModes ?? {})
            .map(([port, mode]) => `${port}=${mode}`)
            .join(' '),
          w.plaintextObserved,
          w.status,
        ]),
      );
    case 'namespaces':
      return toCsv(
        [
          'observed_at',
          'namespace',
          'ambient',
          'mode',
          'policy',
          'workloads',
          'strict',
          'permissive',
          'outside_mesh',
          'plaintext_observed',
          'status',
        ],
        audit.namespaces.map((n): CsvValue[] => [
          observed,
          n.name,
          n.ambient,
          n.mode,
          n.policy,
          n.workloads,
          n.strict,
          n.permissive,
          n.outsideMesh,
          n.plaintextObserved,
          n.status,
        ]),
      );
    case 'findings':
      return toCsv(
        ['observed_at', 'severity', 'code', 'namespace', 'workload', 'edge', 'message'],
        audit.findings.map((f): CsvValue[] => [observed, f.severity, f.code, f.namespace, f.workload, f.edge, f.message]),
      );
  }
}

/** The whole audit as one JSON document, tagged with its format and version. */
export function mtlsAuditToJson(audit: MtlsAudit): string {
  return `${JSON.stringify({ kind: 'AmbitMtlsAudit', version: 1, observedAt: iso(audit.timestamp), ...audit }, null, 2)}\n`;
}
