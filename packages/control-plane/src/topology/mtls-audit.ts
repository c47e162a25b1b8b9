/**
 * The mTLS audit: for the mesh, each namespace and each workload, the mode PeerAuthentication
 * gives it (STRICT / PERMISSIVE, as ztunnel enforces it, through the shared
 * `effectivePeerAuthentication`) and whether plaintext was observed; every observed edge with its
 * security policy and the principals on both sides; and findings an auditor acts on. Built from
 * the same telemetry as the topology (a workload graph, client → workload), so what the audit
 * lists is what the topology draws. Given the CA's issuance ledger, it also lists every workload's
 * certificate and judges its rotation. CSV and JSON exports are for handing to auditors.
 */
import type { PeerAuthentication } from '@ambit/shared';
import { effectivePeerAuthentication } from '@ambit/shared/authz';
import type { IssuedCertificateRecord } from '../ca/ledger';
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

export type FindingCode =
  | 'PlaintextIntoMesh'
  | 'OutsideMeshClient'
  | 'PermissiveWhereStrictExpected'
  | 'CertificateNearExpiry'
  | 'CertificateExpired'
  | 'CertificateNeverIssued';

/**
 * How a certificate's rotation stands. Proxies renew at half the lifetime (as Istio's do):
 * `healthy` before that, `due` past it, `overdue` past three quarters of it (renewal has been
 * failing), `expired` past not-after, `never-issued` when the CA's ledger has none.
 */
export type RotationHealth = 'healthy' | 'due' | 'overdue' | 'expired' | 'never-issued';

/** One workload's certificate on one node (ztunnel holds one per identity and node), from the CA's ledger. */
export interface AuditCertificate {
  namespace: string;
  workload: string;
  /** The workload's pods on this node. */
  pods: string[];
  node?: string;
  identity: string;
  inMesh: boolean;
  serial?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  /** Seconds from the audit's time to not-after; negative once expired. */
  expiresInSeconds?: number;
  rotation: RotationHealth;
  /** Certificates the ledger keeps for this identity and node (renewals seen, bounded). */
  issuedCount: number;
}

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
  /** Every audited workload's certificates; empty when the audit was built without the CA's ledger. */
  certificates: AuditCertificate[];
}

export interface MtlsAuditOptions {
  /**
   * Where STRICT is expected: every ambient namespace (true, the default), nowhere (false), or
   * the namespaces listed.
   */
  expectStrict?: boolean | readonly string[];
  /** The CA's issuance ledger; without it the audit has no certificate inventory and no certificate findings. */
  certificates?: readonly IssuedCertificateRecord[];
  /** The time certificates are judged at (ms); default now. */
  now?: number;
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

export interface MtlsModeDecision {
  mode: MtlsMode;
  policy?: string;
  portModes?: Record<string, MtlsMode>;
}

function decideMode(
  policies: readonly PeerAuthentication[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
  root: string,
): MtlsModeDecision {
  const effective = effectivePeerAuthentication(policies, { namespace, labels }, root);
  const decision: MtlsModeDecision = { mode: ambientMode(effective.mode) ?? 'PERMISSIVE' };
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
    const decision = modes.get(id) as MtlsModeDecision;
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

  const certificates = options.certificates ? auditCertificates(groups, options.certificates, options.now ?? Date.now()) : [];
  findings.push(...certificateFindings(certificates));

  const severity = { error: 0, warning: 1 };
  findings.sort((a, b) => severity[a.severity] - severity[b.severity] || compare(a.code, b.code) || compare(a.message, b.message));
  return {
    timestamp: graph.timestamp,
    window: graph.window,
    mesh,
    namespaces,
    workloads,
    edges,
    findings: findings.map(withoutUndefined),
    certificates,
  };
}

/** Rotation as of `now`: see RotationHealth. */
export function rotationHealth(record: Pick<IssuedCertificateRecord, 'notBefore' | 'notAfter'> | undefined, now: number): RotationHealth {
  if (!record) return 'never-issued';
  const start = Date.parse(record.notBefore);
  const end = Date.parse(record.notAfter);
  if (now >= end) return 'expired';
  const lifetime = end - start;
  if (now >= start + lifetime * 0.75) return 'overdue';
  if (now >= start + lifetime * 0.5) return 'due';
  return 'healthy';
}

export type CertificateStatus = Pick<
  AuditCertificate,
  'serial' | 'issuer' | 'notBefore' | 'notAfter' | 'expiresInSeconds' | 'rotation' | 'issuedCount'
>;

/** The newest of one identity+node's certificates (by not-after), and its rotation as of `now`. */
export function certificateStatus(records: readonly IssuedCertificateRecord[], now: number): CertificateStatus {
  let newest: IssuedCertificateRecord | undefined;
  for (const r of records) if (!newest || r.notAfter > newest.notAfter) newest = r;
  const status: CertificateStatus = { rotation: rotationHealth(newest, now), issuedCount: records.length };
  if (newest) {
    status.serial = newest.serial;
    status.issuer = newest.issuer;
    status.notBefore = newest.notBefore;
    status.notAfter = newest.notAfter;
    status.expiresInSeconds = Math.floor((Date.parse(newest.notAfter) - now) / 1000);
  }
  return status;
}

/** The mode PeerAuthentication gives a pod with these labels, and the policy that sets it. */
export function peerAuthenticationMode(
  snapshot: MeshSnapshot,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): MtlsModeDecision {
  return decideMode([...snapshot.policies.peerAuthentications.values()], namespace, labels, snapshot.options.rootNamespace);
}

/** One row per workload, node and identity, with the newest certificate the ledger has for that identity on that node. */
function auditCertificates(groups: readonly WorkloadGroup[], ledger: readonly IssuedCertificateRecord[], now: number): AuditCertificate[] {
  const byKey = new Map<string, IssuedCertificateRecord[]>();
  for (const record of ledger) {
    const key = `${record.identity} ${record.node}`;
    const list = byKey.get(key);
    if (list) list.push(record);
    else byKey.set(key, [record]);
  }
  const rows: AuditCertificate[] = [];
  for (const group of groups) {
    const onNode = new Map<string, AuditCertificate>();
    for (const pod of group.pods) {
      const key = `${pod.identity} ${pod.node ?? ''}`;
      const row = onNode.get(key);
      if (row) {
        row.pods.push(pod.name);
        continue;
      }
      const entry: AuditCertificate = {
        namespace: group.namespace,
        workload: group.name,
        pods: [pod.name],
        identity: pod.identity,
        inMesh: pod.ambient,
        ...certificateStatus(pod.node ? (byKey.get(key) ?? []) : [], now),
      };
      if (pod.node) entry.node = pod.node;
      onNode.set(key, entry);
      rows.push(entry);
    }
  }
  return rows;
}

/** Certificates an auditor acts on: expired, about to expire (renewal failing), or never issued to a mesh workload. */
function certificateFindings(certificates: readonly AuditCertificate[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const c of certificates) {
    if (!c.inMesh) continue;
    const where = `${c.namespace}/${c.workload}${c.node ? ` on node ${c.node}` : ''}`;
    const common = { namespace: c.namespace, workload: c.workload };
    if (c.rotation === 'expired') {
      findings.push({
        code: 'CertificateExpired',
        severity: 'error',
        message: `the certificate of ${where} (${c.identity}, serial ${c.serial}) expired at ${c.notAfter} and was not renewed`,
        ...common,
      });
    } else if (c.rotation === 'overdue') {
      findings.push({
        code: 'CertificateNearExpiry',
        severity: 'warning',
        message: `the certificate of ${where} (${c.identity}, serial ${c.serial}) expires at ${c.notAfter}, in ${formatSeconds(c.expiresInSeconds ?? 0)}, and is overdue for renewal`,
        ...common,
      });
    } else if (c.rotation === 'never-issued') {
      findings.push({
        code: 'CertificateNeverIssued',
        severity: 'warning',
        message: `the CA never issued a certificate for ${c.identity} to ${c.node ? `node ${c.node}` : 'any node'}: ${c.namespace}/${c.workload} cannot take part in mutual TLS${c.node ? '' : ' (it has no node)'}`,
        ...common,
      });
    }
  }
  return findings;
}

function formatSeconds(seconds: number): string {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${Math.max(0, seconds)} s`;
}

function workloadNodeId(group: WorkloadGroup): string {
  return `wl:${group.namespace}/${group.name}`;
}

/** Every observed edge with its security, and the findings on edges: plaintext into the mesh, clients from outside it. */
function auditEdges(graph: TopologyGraph, modes: ReadonlyMap<string, MtlsModeDecision>) {
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
function decideWorkloadMode(group: WorkloadGroup, policies: readonly PeerAuthentication[], root: string): MtlsModeDecision {
  let weakest: MtlsModeDecision | undefined;
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

export type MtlsAuditTable = 'edges' | 'workloads' | 'namespaces' | 'findings' | 'certificates';

const iso = (ms: number): string => new Date(ms).toISOString();
const joined = (values: readonly string[] | undefined): string => (values ?? []).join(' ');

/**
 * One table of the audit as CSV (RFC 4180; see csv.ts); `edges` is the evidence auditors ask for
 * first, `certificates` the certificate inventory (a separate download: its rows are per
 * certificate, not per edge). The JSON export holds every table.
 */
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
    case 'certificates':
      return toCsv(
        [
          'observed_at',
          'namespace',
          'workload',
          'pods',
          'node',
          'identity',
          'in_mesh',
          'serial',
          'issuer',
          'not_before',
          'not_after',
          'expires_in_seconds',
          'rotation',
          'issued_count',
        ],
        audit.certificates.map((c): CsvValue[] => [
          observed,
          c.namespace,
          c.workload,
          joined(c.pods),
          c.node,
          c.identity,
          c.inMesh,
          c.serial,
          c.issuer,
          c.notBefore,
          c.notAfter,
          c.expiresInSeconds,
          c.rotation,
          c.issuedCount,
        ]),
      );
  }
}

/** The whole audit as one JSON document, tagged with its format and version. */
export function mtlsAuditToJson(audit: MtlsAudit): string {
  return `${JSON.stringify({ kind: 'AmbitMtlsAudit', version: 1, observedAt: iso(audit.timestamp), ...audit }, null, 2)}\n`;
}
