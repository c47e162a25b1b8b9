import type { AuthorizationAction } from '../resources/security';
import { type PreparedCidr, prepareCidr } from './cidr';
import { type PreparedPathTemplate, preparePathTemplate } from './path-template';
import { type PreparedString, prepareString } from './string-match';
import {
  type ClaimCondition,
  CONVERTED_PEER_AUTHENTICATION_PREFIX,
  type CompiledPolicy,
  type HeaderCondition,
  type IpBlock,
  type Match,
  type PathMatch,
  type ServiceAccountMatch,
  type StringMatch,
} from './types';

/**
 * The fast form of a CompiledPolicy: every string match, CIDR, path template and reason string
 * built once, so evaluation allocates nothing and builds no regex. A CompiledPolicy is prepared
 * once and cached by identity; treat compiled policies as immutable.
 */

export interface PreparedPath {
  readonly string: PreparedString | null;
  readonly template: PreparedPathTemplate | null;
}

export interface PreparedValueCondition {
  readonly values: readonly PreparedString[] | null;
  readonly notValues: readonly PreparedString[] | null;
}

export interface PreparedHeaderCondition extends PreparedValueCondition {
  readonly name: string;
}

export interface PreparedClaimCondition extends PreparedValueCondition {
  readonly claim: readonly string[];
}

export class PreparedMatch {
  /** An empty Match matches nothing (ztunnel's rule). */
  readonly empty: boolean;
  /** Uses attributes that exist only on HTTP requests. */
  readonly httpOnly: boolean;
  readonly namespaces: readonly PreparedString[] | null;
  readonly notNamespaces: readonly PreparedString[] | null;
  readonly principals: readonly PreparedString[] | null;
  readonly notPrincipals: readonly PreparedString[] | null;
  readonly sourceIps: readonly PreparedCidr[] | null;
  readonly notSourceIps: readonly PreparedCidr[] | null;
  readonly destinationIps: readonly PreparedCidr[] | null;
  readonly notDestinationIps: readonly PreparedCidr[] | null;
  readonly destinationPorts: readonly number[] | null;
  readonly notDestinationPorts: readonly number[] | null;
  /** `/ns/<namespace>/sa/<name>`: what a principal must end with. */
  readonly serviceAccounts: readonly string[] | null;
  readonly notServiceAccounts: readonly string[] | null;
  readonly remoteIps: readonly PreparedCidr[] | null;
  readonly notRemoteIps: readonly PreparedCidr[] | null;
  readonly serverNames: readonly PreparedString[] | null;
  readonly notServerNames: readonly PreparedString[] | null;
  readonly requestPrincipals: readonly PreparedString[] | null;
  readonly notRequestPrincipals: readonly PreparedString[] | null;
  readonly hosts: readonly PreparedString[] | null;
  readonly notHosts: readonly PreparedString[] | null;
  readonly methods: readonly PreparedString[] | null;
  readonly notMethods: readonly PreparedString[] | null;
  readonly paths: readonly PreparedPath[] | null;
  readonly notPaths: readonly PreparedPath[] | null;
  readonly headers: readonly PreparedHeaderCondition[] | null;
  readonly claims: readonly PreparedClaimCondition[] | null;

  constructor(m: Match) {
    this.namespaces = strings(m.namespaces);
    this.notNamespaces = strings(m.notNamespaces);
    this.principals = strings(m.principals);
    this.notPrincipals = strings(m.notPrincipals);
    this.sourceIps = cidrs(m.sourceIps);
    this.notSourceIps = cidrs(m.notSourceIps);
    this.destinationIps = cidrs(m.destinationIps);
    this.notDestinationIps = cidrs(m.notDestinationIps);
    this.destinationPorts = numbers(m.destinationPorts);
    this.notDestinationPorts = numbers(m.notDestinationPorts);
    this.serviceAccounts = serviceAccounts(m.serviceAccounts);
    this.notServiceAccounts = serviceAccounts(m.notServiceAccounts);
    this.remoteIps = cidrs(m.remoteIps);
    this.notRemoteIps = cidrs(m.notRemoteIps);
    this.serverNames = strings(m.serverNames);
    this.notServerNames = strings(m.notServerNames);
    this.requestPrincipals = strings(m.requestPrincipals);
    this.notRequestPrincipals = strings(m.notRequestPrincipals);
    this.hosts = strings(m.hosts, true);
    this.notHosts = strings(m.notHosts, true);
    this.methods = strings(m.methods);
    this.notMethods = strings(m.notMethods);
    this.paths = paths(m.paths);
    this.notPaths = paths(m.notPaths);
    this.headers = m.headers?.length ? m.headers.map(header) : null;
    this.claims = m.claims?.length ? m.claims.map(claim) : null;
    this.httpOnly =
      this.requestPrincipals !== null ||
      this.notRequestPrincipals !== null ||
      this.hosts !== null ||
      this.notHosts !== null ||
      this.methods !== null ||
      this.notMethods !== null ||
      this.paths !== null ||
      this.notPaths !== null ||
      this.headers !== null ||
      this.claims !== null;
    this.empty = !Object.values(m).some((v) => Array.isArray(v) && v.length > 0);
  }
}

export interface PreparedRule {
  /** Index in `spec.rules` (or position, if the policy came without it). */
  readonly index: number;
  /** AND of clauses, each an OR of matches. */
  readonly clauses: readonly (readonly PreparedMatch[])[];
  readonly allowReason: string;
  readonly denyReason: string;
}

export class PreparedPolicy {
  readonly key: string;
  readonly action: AuthorizationAction;
  readonly dryRun: boolean;
  readonly rules: readonly PreparedRule[];
  /**
   * DENY, AUDIT and CUSTOM treat HTTP-only attributes as matching a connection that has no HTTP
   * layer, as Istio does for TCP traffic; ALLOW treats them as not matching. Fail safe either way.
   */
  readonly lenient: boolean;
  /** Why a CUSTOM policy denies: Ambit has no external authorizer. */
  readonly customReason: string;

  constructor(readonly policy: CompiledPolicy) {
    this.key = `${policy.namespace}/${policy.name}`;
    this.action = policy.action;
    this.dryRun = policy.dryRun === true;
    this.lenient = policy.action !== 'ALLOW';
    const provider = policy.provider ? ` "${policy.provider}"` : '';
    this.customReason = `denied by CUSTOM policy ${this.key}: Ambit has no external authorization provider${provider}, so it fails closed and denies every request`;
    const fixedDenyReason = ruleIndependentDenyReason(policy, this.customReason);
    this.rules = policy.rules.map((rule, position) => {
      const index = rule.specRule ?? position;
      return {
        index,
        clauses: rule.clauses.map((clause) => clause.matches.map((m) => new PreparedMatch(m))),
        allowReason: `allowed by ALLOW policy ${this.key} rule ${index}`,
        denyReason: fixedDenyReason ?? `denied by ${policy.action} policy ${this.key} rule ${index}`,
      };
    });
  }
}

/** Reasons that do not depend on the rule: converted PeerAuthentications and fail-closed CUSTOM policies. */
function ruleIndependentDenyReason(policy: CompiledPolicy, customReason: string): string | undefined {
  if (policy.provider !== undefined) return customReason;
  if (policy.name.startsWith(CONVERTED_PEER_AUTHENTICATION_PREFIX)) {
    const name = policy.name.slice(CONVERTED_PEER_AUTHENTICATION_PREFIX.length);
    return `denied by PeerAuthentication ${policy.namespace}/${name}: mTLS is STRICT and the connection has no peer identity`;
  }
  return undefined;
}

const cache = new WeakMap<CompiledPolicy, PreparedPolicy>();

/** The prepared form of `policy`, built on first use and cached for as long as the policy object lives. */
export function prepareAuthorization(policy: CompiledPolicy): PreparedPolicy {
  let prepared = cache.get(policy);
  if (prepared === undefined) {
    prepared = new PreparedPolicy(policy);
    cache.set(policy, prepared);
  }
  return prepared;
}

function strings(list: readonly StringMatch[] | undefined, lowerCase = false): readonly PreparedString[] | null {
  return list?.length ? list.map((m) => prepareString(m, lowerCase)) : null;
}

function numbers(list: readonly number[] | undefined): readonly number[] | null {
  return list?.length ? [...list] : null;
}

/** Entries that do not parse are left out: a positive list of only such entries matches nothing. */
function cidrs(list: readonly IpBlock[] | undefined): readonly PreparedCidr[] | null {
  if (!list?.length) return null;
  const out: PreparedCidr[] = [];
  for (const block of list) {
    const cidr = prepareCidr(block);
    if (cidr) out.push(cidr);
  }
  return out;
}

function serviceAccounts(list: readonly ServiceAccountMatch[] | undefined): readonly string[] | null {
  return list?.length ? list.map((sa) => `/ns/${sa.namespace}/sa/${sa.serviceAccount}`) : null;
}

function paths(list: readonly PathMatch[] | undefined): readonly PreparedPath[] | null {
  if (!list?.length) return null;
  return list.map((p) =>
    'template' in p ? { string: null, template: preparePathTemplate(p.template) } : { string: prepareString(p), template: null },
  );
}

function header(h: HeaderCondition): PreparedHeaderCondition {
  return { name: h.name.toLowerCase(), values: strings(h.values), notValues: strings(h.notValues) };
}

function claim(c: ClaimCondition): PreparedClaimCondition {
  return { claim: [...c.claim], values: strings(c.values), notValues: strings(c.notValues) };
}
