/**
 * Policy attachment: which compiled policies each workload's ztunnel enforces, and which a
 * waypoint enforces for itself or for the services it serves. Compiling and selecting are the
 * shared authz functions; what lives here is Istio's naming and bookkeeping around them — the
 * static STRICT policy and the converted port-level PeerAuthentications.
 */
import type { AuthorizationPolicy, PeerAuthentication } from '@ambit/shared';
import {
  CONVERTED_PEER_AUTHENTICATION_PREFIX,
  type CompiledPolicy,
  type CompiledPolicyWithTarget,
  type CompileNote,
  compileAuthorizationPolicy,
  compileEffectivePeerAuthentication,
  compilePeerAuthentication,
  effectivePeerAuthentication,
  policyTargetOf,
  selectPolicies,
  type WorkloadIdentity,
} from '@ambit/shared/authz';
import type { MeshOptions } from './model';

/** Istio's name for the mesh's shared STRICT policy (`_` cannot clash with Kubernetes names). */
export const STATIC_STRICT_POLICY_NAME = 'istio_converted_static_strict';

export interface CompiledAuthorizationPolicy {
  /** What ztunnel enforces (selector, namespace or mesh-wide policies). */
  ztunnel?: CompiledPolicyWithTarget;
  /** What a waypoint enforces (policies attached with targetRefs). */
  waypoint?: CompiledPolicyWithTarget;
  notes: CompileNote[];
}

export function compileForMesh(policy: AuthorizationPolicy, options: MeshOptions): CompiledAuthorizationPolicy {
  const target = policyTargetOf(policy);
  const compileOptions = { rootNamespace: options.rootNamespace, trustDomain: options.trustDomain };
  if (target.targetRefs) {
    const { compiled, notes } = compileAuthorizationPolicy(policy, { ...compileOptions, enforcement: 'waypoint' });
    return compiled ? { waypoint: { policy: compiled, target }, notes } : { notes };
  }
  const { compiled, notes } = compileAuthorizationPolicy(policy, { ...compileOptions, enforcement: 'ztunnel' });
  return compiled ? { ztunnel: { policy: compiled, target }, notes } : { notes };
}

/**
 * `<root>/istio_converted_static_strict`: refuses connections without a peer identity. Istio
 * sends it whenever PeerAuthentications exist, and lists it on each workload whose effective mode
 * is STRICT on every port. Its rule is the shared compiler's STRICT rule.
 */
export function staticStrictPolicy(rootNamespace: string): CompiledPolicy {
  const meshStrict: PeerAuthentication = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: STATIC_STRICT_POLICY_NAME, namespace: rootNamespace },
    spec: { mtls: { mode: 'STRICT' } },
  };
  const { compiled } = compilePeerAuthentication(meshStrict, rootNamespace);
  if (!compiled) throw new Error('a STRICT PeerAuthentication must compile to a policy');
  return { ...compiled, name: STATIC_STRICT_POLICY_NAME, scope: 'WORKLOAD_SELECTOR' };
}

function hasSelector(pa: PeerAuthentication): boolean {
  return Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;
}

/** Mesh- or namespace-level (no selector) PeerAuthentications among `pas`. */
export function levelPolicies(pas: Iterable<PeerAuthentication>): PeerAuthentication[] {
  return [...pas].filter((pa) => !hasSelector(pa));
}

/**
 * A workload-selector PeerAuthentication with port-level modes, compiled with the mode it
 * inherits from its namespace and the mesh, when the result is port-scoped (Istio's
 * `converted_peer_authentication_<name>`). A plain STRICT outcome is left to the static policy.
 */
export function convertedPeerAuthentication(
  pa: PeerAuthentication,
  namespaceLevel: readonly PeerAuthentication[],
  meshLevel: readonly PeerAuthentication[],
  rootNamespace: string,
): CompiledPolicy | undefined {
  const namespace = pa.metadata.namespace ?? 'default';
  if (namespace === rootNamespace || !hasSelector(pa) || Object.keys(pa.spec.portLevelMtls ?? {}).length === 0) return undefined;
  // Only this policy at workload level: the selector's own labels select it and nothing else competes.
  const workload: WorkloadIdentity = { namespace, labels: pa.spec.selector?.matchLabels ?? {} };
  const { compiled } = compileEffectivePeerAuthentication([pa, ...namespaceLevel, ...meshLevel], workload, rootNamespace);
  return compiled && isPortScoped(compiled) ? compiled : undefined;
}

function isPortScoped(policy: CompiledPolicy): boolean {
  return policy.rules.some((rule) =>
    rule.clauses.some((clause) => clause.matches.some((m) => m.destinationPorts?.length || m.notDestinationPorts?.length)),
  );
}

export interface ZtunnelPolicyInputs {
  /** Compiled ztunnel AuthorizationPolicies of the workload's namespace and of the root namespace. */
  authorizationPolicies: readonly CompiledPolicyWithTarget[];
  /** PeerAuthentications of the workload's namespace and of the root namespace. */
  peerAuthentications: readonly PeerAuthentication[];
  /** Keys (`<ns>/<name>`) of the converted PeerAuthentications that exist. */
  converted: ReadonlySet<string>;
}

/** `<ns>/<name>` of every ztunnel policy that applies to the workload, sorted. */
export function ztunnelPoliciesFor(workload: WorkloadIdentity, inputs: ZtunnelPolicyInputs, rootNamespace: string): string[] {
  const names = selectPolicies(inputs.authorizationPolicies, workload, { rootNamespace }).map((p) => `${p.namespace}/${p.name}`);
  if (inputs.peerAuthentications.length > 0) {
    const effective = effectivePeerAuthentication(inputs.peerAuthentications, workload, rootNamespace);
    const selected = effective.workload;
    const convertedKey = selected && `${selected.metadata.namespace ?? 'default'}/${convertedName(selected)}`;
    if (convertedKey && inputs.converted.has(convertedKey)) names.push(convertedKey);
    else if (effective.mode === 'STRICT') names.push(`${rootNamespace}/${STATIC_STRICT_POLICY_NAME}`);
  }
  return [...new Set(names)].sort();
}

function convertedName(pa: PeerAuthentication): string {
  return `${CONVERTED_PEER_AUTHENTICATION_PREFIX}${pa.metadata.name}`;
}
