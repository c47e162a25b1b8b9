import type { AuthorizationPolicy, KubeObject, PeerAuthentication } from '@ambit/shared';
import { policyTargetOf } from '@ambit/shared/authz';
import { CODES } from '../codes';
import type { AnalysisContext, Analyzer } from '../context';
import { messageFor, namespaceOf } from '../message';
import type { AnalysisMessage } from '../types';

/**
 * IST0127: a policy `selector` that matches no workload — no Pod, nor the pod template of a
 * Deployment whose pods do not exist yet. Selector matching is the shared authz `selectorMatches`.
 */
export const workloadSelectorsAnalyzer: Analyzer = (ctx) => {
  const out: AnalysisMessage[] = [];
  for (const policy of ctx.ofKind<AuthorizationPolicy>('AuthorizationPolicy')) {
    // With targetRefs the selector is ignored, which the validity analyzer reports.
    if (policyTargetOf(policy).targetRefs) continue;
    // A root-namespace selector picks workloads in every namespace.
    check(ctx, policy, policy.spec.selector?.matchLabels, namespaceOf(policy) === ctx.rootNamespace, out);
  }
  for (const pa of ctx.ofKind<PeerAuthentication>('PeerAuthentication')) {
    // A root-namespace selector makes the policy ignored, which the PeerAuthentication analyzer reports.
    if (namespaceOf(pa) === ctx.rootNamespace) continue;
    check(ctx, pa, pa.spec.selector?.matchLabels, false, out);
  }
  return out;
};

function check(
  ctx: AnalysisContext,
  policy: KubeObject,
  selector: Readonly<Record<string, string>> | undefined,
  anyNamespace: boolean,
  out: AnalysisMessage[],
): void {
  if (!selector || Object.keys(selector).length === 0) return;
  if (ctx.selectedWorkloads(selector, namespaceOf(policy), anyNamespace).length > 0) return;
  const labels = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  out.push(
    messageFor(
      CODES.NoMatchingWorkloadsFound,
      policy,
      'spec.selector',
      `No matching workloads for this resource with the following labels: ${labels}`,
    ),
  );
}
