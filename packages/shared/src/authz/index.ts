/**
 * Istio authorization semantics, implemented once: the ztunnel (L4) and the waypoint (L7)
 * enforce with these functions, and the control plane's simulator, analyzers and previews call
 * the very same ones.
 */

export { formatIpBlock, ipAddressBytes, ipAddressText, parseIpBlock } from './cidr';
export type { CompileOptions } from './compile';
export { compileAuthorizationPolicy, DRY_RUN_ANNOTATION, isEmptyMatch } from './compile';
export type { ConditionAttribute, ParsedConditionKey } from './conditions';
export { isL4Attribute, parseConditionKey } from './conditions';
export type { AuthorizationPolicyInput } from './evaluate';
export { evaluateAuthorization } from './evaluate';
export { authzRequestOfFlow, type FlowRecord, principalNamespace } from './flow-record';
export { isPathTemplate, pathTemplateProblem } from './path-template';
export type { EffectiveMtlsMode, EffectivePeerAuthentication } from './peer-authentication';
export { compileEffectivePeerAuthentication, compilePeerAuthentication, effectivePeerAuthentication } from './peer-authentication';
export type { PreparedRule } from './prepare';
export { PreparedPolicy, prepareAuthorization } from './prepare';
export type { CompiledPolicyWithTarget, PolicyTarget, PolicyTargetRef, SelectOptions, WorkloadIdentity } from './select';
export {
  policyTargetOf,
  selectorMatches,
  selectPolicies,
  selectTargetedPolicies,
  WAYPOINT_GATEWAY_CLASS,
  waypointPolicyTargets,
} from './select';
export { formatStringMatch, toStringMatch } from './string-match';
export * from './types';
