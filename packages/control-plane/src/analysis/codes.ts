import type { AnalysisLevel } from './types';

/**
 * Every code analysis emits, with its fixed level. Istio's codes are used only where Istio's
 * analyzer means the same thing; Ambit's own checks have `AMB` codes. Codes are never renumbered
 * or reused: scripts and dashboards match on them. docs/analysis.md explains each one.
 */

export interface CodeInfo {
  code: string;
  /** CamelCase name, Istio's where the code is Istio's. */
  name: string;
  level: AnalysisLevel;
  summary: string;
}

function define<const T extends Record<string, Omit<CodeInfo, 'name'>>>(table: T): { [K in keyof T]: CodeInfo } {
  const out = {} as { [K in keyof T]: CodeInfo };
  for (const name of Object.keys(table) as (keyof T & string)[]) out[name] = { name, ...(table[name] as Omit<CodeInfo, 'name'>) };
  return out;
}

export const CODES = define({
  ReferencedResourceNotFound: { code: 'IST0101', level: 'Error', summary: 'A resource being referenced does not exist.' },
  SchemaValidationError: { code: 'IST0106', level: 'Error', summary: 'The resource has a schema validation error.' },
  NoMatchingWorkloadsFound: { code: 'IST0127', level: 'Warning', summary: "A policy's selector matches no workload." },
  UnreachableRule: { code: 'IST0130', level: 'Warning', summary: 'An HTTPRoute rule is never used: earlier rules match all its requests.' },
  IneffectiveMatch: {
    code: 'IST0131',
    level: 'Info',
    summary: 'A match of an HTTPRoute rule is never used: earlier rules match all its requests.',
  },
  IneffectiveSelector: {
    code: 'IST0166',
    level: 'Warning',
    summary: 'A selector targets a waypoint, or workloads behind one: use targetRefs.',
  },
  IneffectivePolicy: { code: 'IST0167', level: 'Warning', summary: 'A policy has no effect where it is attached.' },
  NegativeConditionStatus: { code: 'IST0171', level: 'Warning', summary: "The resource's status has a condition that shows a problem." },

  AllowRuleDroppedAtZtunnel: {
    code: 'AMB0001',
    level: 'Warning',
    summary: 'An ALLOW rule uses attributes ztunnel cannot see; ztunnel drops the rule.',
  },
  AllowPolicyMatchesNothing: {
    code: 'AMB0002',
    level: 'Warning',
    summary: 'Every rule of an ALLOW policy was dropped: it now allows nothing.',
  },
  DenyRuleWidenedAtZtunnel: {
    code: 'AMB0003',
    level: 'Warning',
    summary: 'A DENY rule uses attributes ztunnel cannot see; ztunnel enforces it without them.',
  },
  UnsupportedConditionKey: { code: 'AMB0004', level: 'Error', summary: 'A `when` key Ambit does not support.' },
  ActionNotEnforced: {
    code: 'AMB0005',
    level: 'Warning',
    summary: 'The policy action is not enforced where the policy applies (AUDIT at ztunnel).',
  },
  CustomProviderUnavailable: {
    code: 'AMB0006',
    level: 'Warning',
    summary: 'A CUSTOM policy names an external authorizer Ambit lacks: requests are denied.',
  },
  InvalidDryRunAnnotation: {
    code: 'AMB0007',
    level: 'Warning',
    summary: 'The istio.io/dry-run annotation is not a boolean; the policy is enforced.',
  },
  MtlsDisableNotSupported: {
    code: 'AMB0008',
    level: 'Warning',
    summary: 'PeerAuthentication mode DISABLE is not supported in ambient; it acts as PERMISSIVE.',
  },
  PortLevelMtlsIgnored: {
    code: 'AMB0009',
    level: 'Warning',
    summary: 'portLevelMtls on a PeerAuthentication without selector is ignored.',
  },
  RootSelectorIgnored: {
    code: 'AMB0010',
    level: 'Warning',
    summary: 'A PeerAuthentication with a selector in the root namespace is ignored.',
  },
  ConflictingPeerAuthentication: {
    code: 'AMB0011',
    level: 'Warning',
    summary: 'Several PeerAuthentications apply at the same level; only the oldest is used.',
  },
  UnsupportedReferenceKind: { code: 'AMB0012', level: 'Error', summary: 'A reference names a kind Ambit does not implement there.' },
  WaypointNotUsable: { code: 'AMB0013', level: 'Warning', summary: 'The waypoint an object asks for does not serve its kind of traffic.' },
  RouteNotAccepted: { code: 'AMB0014', level: 'Warning', summary: 'An HTTPRoute does not attach to a parent it names.' },
  RouteWithoutWaypoint: {
    code: 'AMB0015',
    level: 'Warning',
    summary: 'An HTTPRoute attaches to a Service no waypoint serves: ztunnel does not route HTTP.',
  },
  UnsupportedRouteFilter: {
    code: 'AMB0016',
    level: 'Error',
    summary: 'An HTTPRoute filter Ambit cannot apply: matching requests get 500.',
  },
  InvalidRouteValue: { code: 'AMB0017', level: 'Error', summary: 'An HTTPRoute value Ambit cannot use (regular expression, duration).' },
  RuleWithoutBackends: {
    code: 'AMB0018',
    level: 'Warning',
    summary: 'An HTTPRoute rule has no backend that can get traffic: matching requests get 500.',
  },
  IneffectiveRouteSetting: {
    code: 'AMB0019',
    level: 'Warning',
    summary: 'An HTTPRoute setting has no effect (backends beside a redirect, a timeout cut short).',
  },
  ServiceRouteHostnamesIgnored: { code: 'AMB0020', level: 'Info', summary: 'hostnames are ignored on routes attached to a Service.' },
  CanaryHasNoSteps: {
    code: 'AMB0021',
    level: 'Error',
    summary: 'A Canary has neither stepWeight, stepWeights nor iterations: it never shifts traffic.',
  },
  CanaryWeightOvershoot: { code: 'AMB0022', level: 'Warning', summary: "A Canary's steps go past maxWeight or do not increase." },
  CanaryAnalysisInvalid: { code: 'AMB0023', level: 'Error', summary: "A Canary's analysis cannot work as written (interval, metrics)." },
  CanaryPortNotOnTarget: {
    code: 'AMB0024',
    level: 'Warning',
    summary: "The Canary's target port is not a port of the target's containers.",
  },
  CanaryRoutingNotCreated: {
    code: 'AMB0025',
    level: 'Info',
    summary: 'The Services and HTTPRoute a Canary shifts traffic with do not exist yet.',
  },
  ReferenceNotPermitted: {
    code: 'AMB0026',
    level: 'Error',
    summary: 'A backendRef names a Service in another namespace and no ReferenceGrant permits it.',
  },
});

export type CodeName = keyof typeof CODES;

export const ALL_CODES: readonly CodeInfo[] = Object.values(CODES);

/** Where a code is explained: Istio's page for Istio's codes, docs/analysis.md for Ambit's. */
export function documentationFor(code: string): string {
  return code.startsWith('IST')
    ? `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`
    : `docs/analysis.md#${code.toLowerCase()}`;
}
