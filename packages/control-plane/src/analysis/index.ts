/**
 * `istioctl analyze`-style analysis: `analyze(objects, options)` returns messages with a stable
 * code, a level, the resource and the field path; `formatMessages` prints them as istioctl
 * does and `analysisReport` is the JSON form (`ambit analyze -o json`); `exitCodeFor` is 1 when
 * any message is an Error. The semantics come from their one home: the shared route and
 * authorization compilers, `selectorMatches`, and the registry's waypoint resolver.
 *
 * Codes (docs/analysis.md explains each with an example):
 *
 * | Code    | Level   | Name                          | Meaning |
 * |---------|---------|-------------------------------|---------|
 * | IST0101 | Error   | ReferencedResourceNotFound    | A resource being referenced does not exist. |
 * | IST0106 | Error   | SchemaValidationError         | The resource has a schema validation error. |
 * | IST0127 | Warning | NoMatchingWorkloadsFound      | A policy's selector matches no workload. |
 * | IST0130 | Warning | UnreachableRule               | An HTTPRoute rule is never used: earlier rules match all its requests. |
 * | IST0131 | Info    | IneffectiveMatch              | A match of an HTTPRoute rule is never used: earlier rules match all its requests. |
 * | IST0166 | Warning | IneffectiveSelector           | A selector targets a waypoint, or workloads behind one: use targetRefs. |
 * | IST0167 | Warning | IneffectivePolicy             | A policy has no effect where it is attached. |
 * | IST0171 | Warning | NegativeConditionStatus       | The resource's status has a condition that shows a problem. |
 * | AMB0001 | Warning | AllowRuleDroppedAtZtunnel     | An ALLOW rule uses attributes ztunnel cannot see; ztunnel drops the rule. |
 * | AMB0002 | Warning | AllowPolicyMatchesNothing     | Every rule of an ALLOW policy was dropped: it now allows nothing. |
 * | AMB0003 | Warning | DenyRuleWidenedAtZtunnel      | A DENY rule uses attributes ztunnel cannot see; ztunnel enforces it without them. |
 * | AMB0004 | Error   | UnsupportedConditionKey       | A `when` key Ambit does not support. |
 * | AMB0005 | Warning | ActionNotEnforced             | The policy action is not enforced where the policy applies (AUDIT at ztunnel). |
 * | AMB0006 | Warning | CustomProviderUnavailable     | A CUSTOM policy names an external authorizer Ambit lacks: requests are denied. |
 * | AMB0007 | Warning | InvalidDryRunAnnotation       | The istio.io/dry-run annotation is not a boolean; the policy is enforced. |
 * | AMB0008 | Warning | MtlsDisableNotSupported       | PeerAuthentication mode DISABLE is not supported in ambient; it acts as PERMISSIVE. |
 * | AMB0009 | Warning | PortLevelMtlsIgnored          | portLevelMtls on a PeerAuthentication without selector is ignored. |
 * | AMB0010 | Warning | RootSelectorIgnored           | A PeerAuthentication with a selector in the root namespace is ignored. |
 * | AMB0011 | Warning | ConflictingPeerAuthentication | Several PeerAuthentications apply at the same level; only the oldest is used. |
 * | AMB0012 | Error   | UnsupportedReferenceKind      | A reference names a kind Ambit does not implement there. |
 * | AMB0013 | Warning | WaypointNotUsable             | The waypoint an object asks for does not serve its kind of traffic. |
 * | AMB0014 | Warning | RouteNotAccepted              | An HTTPRoute does not attach to a parent it names. |
 * | AMB0015 | Warning | RouteWithoutWaypoint          | An HTTPRoute attaches to a Service no waypoint serves: ztunnel does not route HTTP. |
 * | AMB0016 | Error   | UnsupportedRouteFilter        | An HTTPRoute filter Ambit cannot apply: matching requests get 500. |
 * | AMB0017 | Error   | InvalidRouteValue             | An HTTPRoute value Ambit cannot use (regular expression, duration). |
 * | AMB0018 | Warning | RuleWithoutBackends           | An HTTPRoute rule has no backend that can get traffic: matching requests get 500. |
 * | AMB0019 | Warning | IneffectiveRouteSetting       | An HTTPRoute setting has no effect (backends beside a redirect, a timeout cut short). |
 * | AMB0020 | Info    | ServiceRouteHostnamesIgnored  | hostnames are ignored on routes attached to a Service. |
 * | AMB0021 | Error   | CanaryHasNoSteps              | A Canary has neither stepWeight, stepWeights nor iterations: it never shifts traffic. |
 * | AMB0022 | Warning | CanaryWeightOvershoot         | A Canary's steps go past maxWeight or do not increase. |
 * | AMB0023 | Error   | CanaryAnalysisInvalid         | A Canary's analysis cannot work as written (interval, metrics). |
 * | AMB0024 | Warning | CanaryPortNotOnTarget         | The Canary's target port is not a port of the target's containers. |
 * | AMB0025 | Info    | CanaryRoutingNotCreated       | The Services and HTTPRoute a Canary shifts traffic with do not exist yet. |
 * | AMB0026 | Error   | ReferenceNotPermitted         | A backendRef names a Service in another namespace and no ReferenceGrant permits it. |
 *
 * Istio's IST0113 (MTLSPolicyConflict: DestinationRule vs. mTLS policy), IST0145
 * (ConflictingGateways: Istio Gateways selecting one workload) and IST0162
 * (GatewayPortNotDefinedOnService) describe resources Ambit does not have, so they are never emitted.
 */
export { analyze, compareMessages } from './analyze';
export { ALL_CODES, CODES, type CodeInfo, type CodeName, documentationFor } from './codes';
export { type AnalysisReport, analysisReport, exitCodeFor, formatMessage, formatMessages } from './output';
export type { AnalysisLevel, AnalysisMessage, AnalyzeOptions, ResourceRef } from './types';
