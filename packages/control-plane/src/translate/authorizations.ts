/**
 * Snapshot → `istio.security.Authorization` resources for ztunnels, keyed `<ns>/<name>`: the
 * AuthorizationPolicies compiled for ztunnel by the shared compiler, Istio's static STRICT policy
 * and converted PeerAuthentications. The CompiledPolicy mirrors the proto, so this is a field copy.
 */
import type { Match as CompiledMatch, CompiledPolicy, StringMatch as CompiledStringMatch, IpBlock } from '@ambit/shared/authz';
import type { MeshSnapshot } from '../registry/index';
import { type Authorization, type CidrMatch, ipToBytes, type Match, type StringMatch } from '../xds/index';

/** Every Authorization resource, sorted by key. */
export function toAuthorizations(snapshot: MeshSnapshot): ReadonlyMap<string, Authorization> {
  const out: [string, Authorization][] = [];
  for (const [key, policy] of snapshot.policies.ztunnel) {
    const authorization = toAuthorization(policy);
    if (authorization) out.push([key, authorization]);
  }
  return new Map(out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Undefined for actions the workload API cannot carry (the compiler never hands those to ztunnel). */
export function toAuthorization(policy: CompiledPolicy): Authorization | undefined {
  if (policy.action !== 'ALLOW' && policy.action !== 'DENY') return undefined;
  return {
    name: policy.name,
    namespace: policy.namespace,
    scope: policy.scope,
    action: policy.action,
    rules: policy.rules.map((rule) => ({ clauses: rule.clauses.map((clause) => ({ matches: clause.matches.map(toMatch) })) })),
    dryRun: policy.dryRun,
  };
}

function toMatch(match: CompiledMatch): Match {
  const out: Match = {};
  if (match.namespaces) out.namespaces = match.namespaces.map(stringMatch);
  if (match.notNamespaces) out.notNamespaces = match.notNamespaces.map(stringMatch);
  if (match.principals) out.principals = match.principals.map(stringMatch);
  if (match.notPrincipals) out.notPrincipals = match.notPrincipals.map(stringMatch);
  if (match.sourceIps) out.sourceIps = match.sourceIps.map(cidr);
  if (match.notSourceIps) out.notSourceIps = match.notSourceIps.map(cidr);
  if (match.destinationIps) out.destinationIps = match.destinationIps.map(cidr);
  if (match.notDestinationIps) out.notDestinationIps = match.notDestinationIps.map(cidr);
  if (match.destinationPorts) out.destinationPorts = [...match.destinationPorts];
  if (match.notDestinationPorts) out.notDestinationPorts = [...match.notDestinationPorts];
  if (match.serviceAccounts) out.serviceAccounts = match.serviceAccounts.map((sa) => ({ ...sa }));
  if (match.notServiceAccounts) out.notServiceAccounts = match.notServiceAccounts.map((sa) => ({ ...sa }));
  return out;
}

function stringMatch(match: CompiledStringMatch): StringMatch {
  if ('exact' in match) return { exact: match.exact };
  if ('prefix' in match) return { prefix: match.prefix };
  if ('suffix' in match) return { suffix: match.suffix };
  return { presence: {} };
}

function cidr(block: IpBlock): CidrMatch {
  return { address: ipToBytes(block.address), length: block.length };
}
