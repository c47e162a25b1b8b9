import { type CompiledPolicy, type PreparedPolicy, prepareAuthorization } from '@ambit/shared/authz';
import type { Workload } from './workload';

/**
 * Which authorization policies ztunnel enforces for a workload, by the workload API's scopes:
 * GLOBAL policies apply everywhere, NAMESPACE policies to their namespace, and WORKLOAD_SELECTOR
 * policies to the workloads that name them in `authorization_policies`.
 */

export function policyKey(policy: Pick<CompiledPolicy, 'namespace' | 'name'>): string {
  return `${policy.namespace}/${policy.name}`;
}

export function selectWorkloadPolicies(policies: ReadonlyMap<string, CompiledPolicy>, workload: Workload): PreparedPolicy[] {
  const out: PreparedPolicy[] = [];
  for (const policy of policies.values()) {
    if (policy.scope === 'GLOBAL' || (policy.scope === 'NAMESPACE' && policy.namespace === workload.namespace)) {
      out.push(prepareAuthorization(policy));
    }
  }
  for (const key of workload.authorizationPolicies) {
    const policy = policies.get(key);
    if (policy?.scope === 'WORKLOAD_SELECTOR') out.push(prepareAuthorization(policy));
  }
  return out;
}
