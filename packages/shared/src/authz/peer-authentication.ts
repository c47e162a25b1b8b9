import type { MtlsMode, PeerAuthentication } from '../resources/security';
import { prepareAuthorization } from './prepare';
import { selectorMatches, type WorkloadIdentity } from './select';
import {
  type AuthorizationScope,
  CONVERTED_PEER_AUTHENTICATION_PREFIX,
  type CompiledPolicy,
  type CompileNote,
  type CompileResult,
  type Match,
} from './types';

/**
 * PeerAuthentication in ambient mode. Every proxy-to-proxy hop is HBONE with mTLS, so the only
 * question left is whether plaintext (no peer identity) is accepted: STRICT refuses it, which is
 * the same as a DENY policy with `notPrincipals: ["*"]`. Port-level modes narrow or exempt that
 * rule by destination port. DISABLE cannot be honoured and acts as PERMISSIVE.
 */

export type EffectiveMtlsMode = Exclude<MtlsMode, 'UNSET'>;

export interface EffectivePeerAuthentication {
  /**
   * The most specific PeerAuthentication that applies (workload over namespace over mesh), with
   * its UNSET mode resolved from its parents; undefined when none applies. Compile this one.
   */
  policy: PeerAuthentication | undefined;
  /** The workload-wide mode after inheritance; PERMISSIVE when nothing says otherwise. */
  mode: EffectiveMtlsMode;
  mesh?: PeerAuthentication;
  namespace?: PeerAuthentication;
  workload?: PeerAuthentication;
  notes: CompileNote[];
}

function hasSelector(pa: PeerAuthentication): boolean {
  return pa.spec.selector !== undefined && Object.keys(pa.spec.selector.matchLabels).length > 0;
}

function namespaceOf(pa: PeerAuthentication): string {
  return pa.metadata.namespace ?? 'default';
}

function keyOf(pa: PeerAuthentication): string {
  return `${namespaceOf(pa)}/${pa.metadata.name}`;
}

/** Istio picks the oldest policy when several compete at one level; the name breaks ties. */
function oldest(candidates: PeerAuthentication[], level: string, notes: CompileNote[]): PeerAuthentication | undefined {
  if (candidates.length === 0) return undefined;
  const sorted = [...candidates].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
  });
  const chosen = sorted[0] as PeerAuthentication;
  if (sorted.length > 1) {
    notes.push({
      code: 'ConflictingPeerAuthentication',
      level: 'warning',
      message: `${sorted.length} ${level} PeerAuthentications apply (${sorted.map(keyOf).join(', ')}); the oldest, ${keyOf(chosen)}, is used`,
    });
  }
  return chosen;
}

export function effectivePeerAuthentication(
  policies: readonly PeerAuthentication[],
  workload: WorkloadIdentity,
  rootNamespace: string,
): EffectivePeerAuthentication {
  const notes: CompileNote[] = [];
  const meshLevel: PeerAuthentication[] = [];
  const namespaceLevel: PeerAuthentication[] = [];
  const workloadLevel: PeerAuthentication[] = [];
  for (const pa of policies) {
    const ns = namespaceOf(pa);
    const selected = hasSelector(pa);
    if (ns === rootNamespace) {
      if (!selected) meshLevel.push(pa);
      else if (selectorMatches(pa.spec.selector?.matchLabels ?? {}, workload.labels)) {
        notes.push({
          code: 'RootSelectorIgnored',
          level: 'warning',
          path: 'spec.selector',
          message: `PeerAuthentication ${keyOf(pa)} has a selector in the root namespace; Istio ignores such policies`,
        });
      }
    } else if (ns === workload.namespace) {
      if (!selected) namespaceLevel.push(pa);
      else if (selectorMatches(pa.spec.selector?.matchLabels ?? {}, workload.labels)) workloadLevel.push(pa);
    }
  }
  const mesh = oldest(meshLevel, 'mesh-wide', notes);
  const namespace = oldest(namespaceLevel, 'namespace-wide', notes);
  const selected = oldest(workloadLevel, 'workload-selector', notes);

  let mode: EffectiveMtlsMode = 'PERMISSIVE';
  for (const pa of [mesh, namespace, selected]) {
    const m = pa?.spec.mtls?.mode;
    if (m && m !== 'UNSET') mode = m;
  }
  const effective: EffectivePeerAuthentication = { policy: undefined, mode, notes };
  if (mesh) effective.mesh = mesh;
  if (namespace) effective.namespace = namespace;
  if (selected) effective.workload = selected;
  const specific = selected ?? namespace ?? mesh;
  if (specific) effective.policy = { ...specific, spec: { ...specific.spec, mtls: { mode } } };
  return effective;
}

const MISSING_IDENTITY: Match = { notPrincipals: [{ presence: true }] };

/**
 * Compiles one PeerAuthentication into a DENY policy named `converted_peer_authentication_<name>`
 * (as Istio names it). An UNSET mode counts as PERMISSIVE here: pass the `policy` of
 * effectivePeerAuthentication to have it inherit from the namespace and mesh. Undefined when
 * the policy accepts plaintext everywhere.
 */
export function compilePeerAuthentication(pa: PeerAuthentication, rootNamespace: string): CompileResult {
  const notes: CompileNote[] = [];
  const namespace = namespaceOf(pa);
  const selected = hasSelector(pa);
  if (selected && namespace === rootNamespace) {
    notes.push({
      code: 'RootSelectorIgnored',
      level: 'warning',
      path: 'spec.selector',
      message: 'a PeerAuthentication with a selector in the root namespace is ignored; put it in the namespace of the workloads it selects',
    });
    return { compiled: undefined, notes };
  }
  const mode = ambientMode(pa.spec.mtls?.mode, 'spec.mtls.mode', notes) ?? 'PERMISSIVE';

  const strictPorts: number[] = [];
  const permissivePorts: number[] = [];
  const portLevel = Object.entries(pa.spec.portLevelMtls ?? {});
  if (portLevel.length > 0 && !selected) {
    notes.push({
      code: 'PortLevelMtlsNeedsSelector',
      level: 'warning',
      path: 'spec.portLevelMtls',
      message: 'portLevelMtls only applies to a PeerAuthentication with a workload selector; it is ignored',
    });
  } else {
    for (const [key, setting] of portLevel) {
      const path = `spec.portLevelMtls["${key}"]`;
      const port = Number(key);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        notes.push({
          code: 'InvalidValue',
          level: 'error',
          path,
          message: `"${key}" is not a port number (1-65535); the entry is ignored`,
        });
        continue;
      }
      const portMode = ambientMode(setting.mode, `${path}.mode`, notes) ?? mode;
      if (portMode === mode) continue;
      (portMode === 'STRICT' ? strictPorts : permissivePorts).push(port);
    }
  }
  strictPorts.sort((a, b) => a - b);
  permissivePorts.sort((a, b) => a - b);

  let match: Match | undefined;
  if (mode === 'STRICT') {
    match = permissivePorts.length > 0 ? { ...MISSING_IDENTITY, notDestinationPorts: permissivePorts } : { ...MISSING_IDENTITY };
  } else if (strictPorts.length > 0) {
    match = { ...MISSING_IDENTITY, destinationPorts: strictPorts };
  }
  if (!match) return { compiled: undefined, notes };

  const scope: AuthorizationScope = selected ? 'WORKLOAD_SELECTOR' : namespace === rootNamespace ? 'GLOBAL' : 'NAMESPACE';
  const compiled: CompiledPolicy = {
    name: `${CONVERTED_PEER_AUTHENTICATION_PREFIX}${pa.metadata.name}`,
    namespace,
    scope,
    action: 'DENY',
    rules: [{ clauses: [{ matches: [match] }] }],
    dryRun: false,
  };
  prepareAuthorization(compiled);
  return { compiled, notes };
}

/** The mode ambient enforces for a declared one: DISABLE becomes PERMISSIVE (with a note); UNSET is undefined (inherit). */
function ambientMode(mode: MtlsMode | undefined, path: string, notes: CompileNote[]): 'STRICT' | 'PERMISSIVE' | undefined {
  if (mode === undefined || mode === 'UNSET') return undefined;
  if (mode === 'DISABLE') {
    notes.push({
      code: 'MtlsDisableNotSupported',
      level: 'warning',
      path,
      message: 'DISABLE is not supported in ambient mode (traffic between proxies always uses mTLS); it is treated as PERMISSIVE',
    });
    return 'PERMISSIVE';
  }
  return mode;
}

/** effectivePeerAuthentication, then compilePeerAuthentication of the effective policy: what ztunnel enforces for `workload`. */
export function compileEffectivePeerAuthentication(
  policies: readonly PeerAuthentication[],
  workload: WorkloadIdentity,
  rootNamespace: string,
): CompileResult & { effective: EffectivePeerAuthentication } {
  const effective = effectivePeerAuthentication(policies, workload, rootNamespace);
  if (!effective.policy) return { compiled: undefined, notes: [...effective.notes], effective };
  const { compiled, notes } = compilePeerAuthentication(effective.policy, rootNamespace);
  return { compiled, notes: [...effective.notes, ...notes], effective };
}
