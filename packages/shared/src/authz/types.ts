import type { AuthorizationAction } from '../resources/security';

/**
 * The normalized authorization policy that every enforcement point runs. Its L4 part mirrors
 * Istio's workload API message `istio.security.Authorization` field for field, so the control
 * plane's translator maps it onto the proto 1:1 and a ztunnel maps the proto 1:1 back; the L7
 * fields are Ambit's extension for waypoints and are simply absent in what a ztunnel receives.
 * Everything here is plain data: JSON round-trips it unchanged.
 */

/** `Authorization.scope`: GLOBAL 0, NAMESPACE 1, WORKLOAD_SELECTOR 2. */
export type AuthorizationScope = 'GLOBAL' | 'NAMESPACE' | 'WORKLOAD_SELECTOR';

/** `StringMatch { oneof { exact 1; prefix 2; suffix 3; presence 4 } }`; presence matches any non-empty value. */
export type StringMatch = { exact: string } | { prefix: string } | { suffix: string } | { presence: true };

/** `Address { bytes address = 1; uint32 length = 2; }`, with the address written as text (the network address). */
export interface IpBlock {
  address: string;
  length: number;
}

/** `ServiceAccountMatch { namespace = 1; serviceAccount = 2; }`: an exact identity, no wildcards. */
export interface ServiceAccountMatch {
  namespace: string;
  serviceAccount: string;
}

/** A path: the usual string match, or an Istio path template with `{*}` / `{**}` segments. */
export type PathMatch = StringMatch | { template: string };

/** Values of one attribute: matches when any of `values` matches and none of `notValues` does. */
export interface ValueCondition {
  values?: StringMatch[];
  notValues?: StringMatch[];
}

/** `request.headers[name]`; `name` is lower case, as HTTP header names compare case-insensitively. */
export interface HeaderCondition extends ValueCondition {
  name: string;
}

/** A JWT claim by path (`request.auth.claims[a][b]` → `['a', 'b']`; audiences → `['aud']`; presenter → `['azp']`). */
export interface ClaimCondition extends ValueCondition {
  claim: string[];
}

/**
 * `Match`: every field present must match (AND); within a field any value may match (OR); a
 * `not*` field matches when none of its values does. Fields 1-12 are the workload API's; the
 * rest are L7 and only ever set for a waypoint. An empty Match matches nothing, as in ztunnel —
 * which is why the compiler never emits one.
 */
export interface Match {
  namespaces?: StringMatch[];
  notNamespaces?: StringMatch[];
  principals?: StringMatch[];
  notPrincipals?: StringMatch[];
  sourceIps?: IpBlock[];
  notSourceIps?: IpBlock[];
  destinationIps?: IpBlock[];
  notDestinationIps?: IpBlock[];
  destinationPorts?: number[];
  notDestinationPorts?: number[];
  serviceAccounts?: ServiceAccountMatch[];
  notServiceAccounts?: ServiceAccountMatch[];
  // L7 (waypoint) from here on.
  remoteIps?: IpBlock[];
  notRemoteIps?: IpBlock[];
  requestPrincipals?: StringMatch[];
  notRequestPrincipals?: StringMatch[];
  /** Lower-cased; compared case-insensitively against the Host / :authority. */
  hosts?: StringMatch[];
  notHosts?: StringMatch[];
  methods?: StringMatch[];
  notMethods?: StringMatch[];
  paths?: PathMatch[];
  notPaths?: PathMatch[];
  /** `connection.sni`. */
  serverNames?: StringMatch[];
  notServerNames?: StringMatch[];
  /** Each entry must hold (AND). */
  headers?: HeaderCondition[];
  /** Each entry must hold (AND). */
  claims?: ClaimCondition[];
}

/** `Clause { repeated Match matches = 2; }`: any match (OR). */
export interface Clause {
  matches: Match[];
}

/** `Rule { repeated Clause clauses = 1; }`: every clause (AND); no clauses matches everything. */
export interface CompiledRule {
  clauses: Clause[];
  /** Index of the rule in `spec.rules` it came from (not in the proto); rules dropped at compile time leave gaps. */
  specRule?: number;
}

/** `istio.security.Authorization` plus the L7 extension. No rules matches nothing. */
export interface CompiledPolicy {
  name: string;
  namespace: string;
  scope: AuthorizationScope;
  /**
   * The workload API carries ALLOW 0 and DENY 1. AUDIT (logging only) and CUSTOM (an external
   * authorizer) exist for waypoints and are never sent to a ztunnel.
   */
  action: AuthorizationAction;
  /** OR: the policy matches when any rule matches. */
  rules: CompiledRule[];
  /** Evaluated and reported, never enforced (`istio.io/dry-run: "true"`). */
  dryRun: boolean;
  /** CUSTOM only: the extension provider named by the policy. */
  provider?: string;
}

export type EnforcementPoint = 'ztunnel' | 'waypoint';

/** Name prefix of a PeerAuthentication converted to a policy, as Istio names it; `_` cannot clash with Kubernetes names. */
export const CONVERTED_PEER_AUTHENTICATION_PREFIX = 'converted_peer_authentication_';

export type CompileNoteLevel = 'error' | 'warning' | 'info';

export type CompileNoteCode =
  /** An ALLOW rule uses attributes this enforcement point cannot see; the rule never matches. */
  | 'AllowRuleDropped'
  /** Every rule of an ALLOW policy was dropped: the policy now allows nothing. */
  | 'AllowPolicyMatchesNothing'
  /** A DENY/AUDIT/CUSTOM rule is enforced without attributes it cannot see: it matches more. */
  | 'DenyRuleWidened'
  /** A `when` key this implementation does not support. */
  | 'UnsupportedConditionKey'
  /** A value that cannot be parsed (CIDR, port, path template, empty string, key syntax...). */
  | 'InvalidValue'
  /** Fields Istio forbids together (serviceAccounts with principals/namespaces, selector with targetRefs...). */
  | 'ConflictingFields'
  /** The action is not enforced at this point (AUDIT at ztunnel). */
  | 'ActionNotSupported'
  /** CUSTOM has no extension provider in Ambit: fail closed. */
  | 'CustomProviderUnavailable'
  /** `provider` set on a non-CUSTOM policy; ignored. */
  | 'ProviderIgnored'
  /** The policy attaches with targetRefs: a waypoint enforces it, not ztunnel. */
  | 'EnforcedAtWaypoint'
  /** A principal written with `cluster.local` was rewritten to the mesh trust domain. */
  | 'TrustDomainRewritten'
  /** The `istio.io/dry-run` annotation is not a boolean; the policy is enforced. */
  | 'InvalidDryRunAnnotation'
  /** PeerAuthentication DISABLE: ambient always uses mTLS between proxies; treated as PERMISSIVE. */
  | 'MtlsDisableNotSupported'
  /** portLevelMtls on a PeerAuthentication without selector; ignored. */
  | 'PortLevelMtlsNeedsSelector'
  /** PeerAuthentication with a selector in the root namespace; ignored. */
  | 'RootSelectorIgnored'
  /** Several PeerAuthentications at the same level select the workload; the oldest wins. */
  | 'ConflictingPeerAuthentication';

/** What compilation did to a policy, for analyzers and status messages. */
export interface CompileNote {
  code: CompileNoteCode;
  level: CompileNoteLevel;
  message: string;
  /** Field path in the resource, like `spec.rules[0].to[0].operation.methods`. */
  path?: string;
}

export interface CompileResult {
  /** Undefined when nothing is enforced at this point (see the notes). */
  compiled: CompiledPolicy | undefined;
  notes: CompileNote[];
}

/** One connection (ztunnel) or request (waypoint) as the authorizer sees it. */
export interface AuthzRequest {
  source: {
    /** Peer identity without `spiffe://` (`td/ns/x/sa/y`); absent for plaintext. */
    principal?: string;
    /** Namespace of the peer identity; absent for plaintext (derived from the principal if omitted). */
    namespace?: string;
    ip: string;
    /** `remote.ip`: the original client from X-Forwarded-For / PROXY; defaults to `ip`. */
    remoteIp?: string;
  };
  destination: {
    ip: string;
    port: number;
    /** `connection.sni`, when the connection carried one. */
    sni?: string;
  };
  http?: {
    method: string;
    /** As received; the query string is not part of path matching. */
    path: string;
    host: string;
    /** Header names in lower case, as Node delivers them. */
    headers: Readonly<Record<string, string | readonly string[] | undefined>>;
    /** `<iss>/<sub>` of a validated JWT. */
    requestPrincipal?: string;
    /** Claims of the validated JWT (for `request.auth.audiences`, `presenter`, `claims[...]`). */
    claims?: Readonly<Record<string, unknown>>;
  };
}

/** A policy rule that matched a request. */
export interface PolicyRuleMatch {
  /** `namespace/name`. */
  policy: string;
  action: AuthorizationAction;
  ruleIndex: number;
}

export interface AuthzVerdict {
  allowed: boolean;
  /** `namespace/name` of the policy that decided, if one did. */
  policy?: string;
  action?: AuthorizationAction;
  /** The deciding rule's index in `spec.rules`. */
  ruleIndex?: number;
  reason: string;
}

export interface AuthzDecision extends AuthzVerdict {
  /** AUDIT policies that matched; they never change the decision. */
  audit: readonly PolicyRuleMatch[];
  /** Present when dry-run policies apply: the verdict had they been enforced too, and which of them matched. */
  shadow?: AuthzVerdict & { matched: readonly PolicyRuleMatch[] };
}
