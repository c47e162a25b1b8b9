import type { AuthorizationAction } from '../resources/security';
import { anyCidr, newParsedIp, type ParsedIp, type PreparedCidr, parseIpInto } from './cidr';
import { matchPathTemplate } from './path-template';
import {
  type PreparedClaimCondition,
  type PreparedHeaderCondition,
  type PreparedMatch,
  type PreparedPath,
  PreparedPolicy,
  type PreparedRule,
  prepareAuthorization,
} from './prepare';
import { anyString, anyStringIgnoreCase, matchString, PRESENCE, type PreparedString } from './string-match';
import type { AuthzDecision, AuthzRequest, AuthzVerdict, CompiledPolicy, PolicyRuleMatch } from './types';

/**
 * Istio's authorization decision for one connection or request: CUSTOM, then DENY, then ALLOW.
 * Any matching DENY denies; with no ALLOW policy the request is allowed; otherwise one ALLOW
 * must match. AUDIT and dry-run policies are reported and never change the outcome.
 *
 * This runs per connection in ztunnel: matchers come prepared (see prepare.ts), the request's
 * addresses are parsed once into reused buffers, and nothing is allocated but the decision.
 */

const NO_MATCHES: readonly PolicyRuleMatch[] = Object.freeze([]);
const NO_ALLOW_POLICY = 'allowed: no policy denied it and no ALLOW policy applies';

/** What evaluation needs from a request, derived lazily and reused across calls (evaluation is synchronous). */
class RequestView {
  request!: AuthzRequest;
  principal = '';
  namespace = '';
  private readonly source = newParsedIp();
  private readonly destination = newParsedIp();
  private readonly remote = newParsedIp();
  private parsed = 0;
  private pathEndAt = -1;

  reset(request: AuthzRequest): void {
    this.request = request;
    this.principal = request.source.principal ?? '';
    this.namespace = request.source.namespace ?? namespaceOf(this.principal);
    this.parsed = 0;
    this.pathEndAt = -1;
  }

  sourceIp(): ParsedIp {
    if ((this.parsed & 1) === 0) {
      parseIpInto(this.request.source.ip, this.source);
      this.parsed |= 1;
    }
    return this.source;
  }

  destinationIp(): ParsedIp {
    if ((this.parsed & 2) === 0) {
      parseIpInto(this.request.destination.ip, this.destination);
      this.parsed |= 2;
    }
    return this.destination;
  }

  remoteIp(): ParsedIp {
    const remote = this.request.source.remoteIp;
    if (remote === undefined) return this.sourceIp();
    if ((this.parsed & 4) === 0) {
      parseIpInto(remote, this.remote);
      this.parsed |= 4;
    }
    return this.remote;
  }

  /** Where the path ends: the query string and fragment are not part of it. */
  pathEnd(path: string): number {
    if (this.pathEndAt < 0) {
      const query = path.indexOf('?');
      const fragment = path.indexOf('#');
      let end = path.length;
      if (query !== -1) end = query;
      if (fragment !== -1 && fragment < end) end = fragment;
      this.pathEndAt = end;
    }
    return this.pathEndAt;
  }
}

/** `td/ns/<namespace>/sa/x` → `<namespace>`; only used when the caller did not say. */
function namespaceOf(principal: string): string {
  const at = principal.indexOf('/ns/');
  if (at === -1) return '';
  const end = principal.indexOf('/', at + 4);
  return principal.slice(at + 4, end === -1 ? principal.length : end);
}

const view = new RequestView();

export type AuthorizationPolicyInput = CompiledPolicy | PreparedPolicy;

// The prepared policies of the current call, resolved once; grows to the largest policy set seen.
const current: PreparedPolicy[] = [];
// Fills slots past the current call's policies: a dry-run AUDIT policy with no rules, inert everywhere.
const EMPTY_POLICY = new PreparedPolicy({ name: '', namespace: '', scope: 'GLOBAL', action: 'AUDIT', rules: [], dryRun: true });
let currentCount = 0;

function resolve(policies: readonly AuthorizationPolicyInput[]): void {
  const n = policies.length;
  for (let i = 0; i < n; i++) {
    const p = policies[i] as AuthorizationPolicyInput;
    current[i] = p instanceof PreparedPolicy ? p : prepareAuthorization(p);
  }
  // Drop references to policies of an earlier, larger call so they can be collected.
  for (let i = n; i < currentCount; i++) current[i] = EMPTY_POLICY;
  currentCount = n;
}

/**
 * Decides `request` against the policies that apply to its destination (see selectPolicies).
 * Policies may be passed compiled or already prepared.
 */
export function evaluateAuthorization(policies: readonly AuthorizationPolicyInput[], request: AuthzRequest): AuthzDecision {
  view.reset(request);
  resolve(policies);
  const n = currentCount;
  const decision = decide(n, false);
  let dryRun = false;
  let audit: PolicyRuleMatch[] | undefined;
  for (let i = 0; i < n; i++) {
    const p = current[i] as PreparedPolicy;
    if (p.dryRun) {
      dryRun = true;
      continue;
    }
    if (p.action !== 'AUDIT') continue;
    const rule = firstMatchingRule(p, view);
    if (rule === null) continue;
    audit ??= [];
    audit.push({ policy: p.key, action: 'AUDIT', ruleIndex: rule.index });
  }
  if (audit !== undefined) decision.audit = audit;
  if (dryRun) {
    const shadow = decide(n, true);
    const matched: PolicyRuleMatch[] = [];
    for (let i = 0; i < n; i++) {
      const p = current[i] as PreparedPolicy;
      if (!p.dryRun) continue;
      const rule = firstMatchingRule(p, view);
      if (rule !== null) matched.push({ policy: p.key, action: p.action, ruleIndex: rule.index });
    }
    decision.shadow = { ...verdictOf(shadow), matched };
  }
  return decision;
}

function verdictOf(d: AuthzDecision): AuthzVerdict {
  const v: AuthzVerdict = { allowed: d.allowed, reason: d.reason };
  if (d.policy !== undefined) v.policy = d.policy;
  if (d.action !== undefined) v.action = d.action;
  if (d.ruleIndex !== undefined) v.ruleIndex = d.ruleIndex;
  return v;
}

function result(allowed: boolean, reason: string, policy?: string, action?: AuthorizationAction, ruleIndex?: number): AuthzDecision {
  const d: AuthzDecision = { allowed, reason, audit: NO_MATCHES };
  if (policy !== undefined) d.policy = policy;
  if (action !== undefined) d.action = action;
  if (ruleIndex !== undefined) d.ruleIndex = ruleIndex;
  return d;
}

function decide(n: number, withDryRun: boolean): AuthzDecision {
  for (let i = 0; i < n; i++) {
    const p = current[i] as PreparedPolicy;
    if (p.action === 'CUSTOM' && (withDryRun || !p.dryRun)) return result(false, p.customReason, p.key, 'CUSTOM');
  }
  for (let i = 0; i < n; i++) {
    const p = current[i] as PreparedPolicy;
    if (p.action !== 'DENY' || (p.dryRun && !withDryRun)) continue;
    const rule = firstMatchingRule(p, view);
    if (rule !== null) return result(false, rule.denyReason, p.key, 'DENY', rule.index);
  }
  let allowPolicies = 0;
  for (let i = 0; i < n; i++) {
    const p = current[i] as PreparedPolicy;
    if (p.action !== 'ALLOW' || (p.dryRun && !withDryRun)) continue;
    allowPolicies++;
    const rule = firstMatchingRule(p, view);
    if (rule !== null) return result(true, rule.allowReason, p.key, 'ALLOW', rule.index);
  }
  if (allowPolicies === 0) return result(true, NO_ALLOW_POLICY);
  return result(false, `no ALLOW policy matched (${allowPolicies} apply)`);
}

/** The first rule of `policy` that matches, or null. No rules never matches; a rule with no clauses always does. */
function firstMatchingRule(policy: PreparedPolicy, v: RequestView): PreparedRule | null {
  const rules = policy.rules;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as PreparedRule;
    let all = true;
    for (let c = 0; c < rule.clauses.length && all; c++) {
      const clause = rule.clauses[c] as readonly PreparedMatch[];
      let any = false;
      for (let m = 0; m < clause.length && !any; m++) any = matches(clause[m] as PreparedMatch, v, policy.lenient);
      all = any;
    }
    if (all) return rule;
  }
  return null;
}

function matches(m: PreparedMatch, v: RequestView, lenient: boolean): boolean {
  if (m.empty) return false;
  const request = v.request;
  const http = request.http;
  if (m.httpOnly && http === undefined && !lenient) return false;
  if (!strings(m.principals, m.notPrincipals, v.principal)) return false;
  if (!strings(m.namespaces, m.notNamespaces, v.namespace)) return false;
  if (m.serviceAccounts !== null && !anyServiceAccount(m.serviceAccounts, v.principal)) return false;
  if (m.notServiceAccounts !== null && anyServiceAccount(m.notServiceAccounts, v.principal)) return false;
  if (!cidrs(m.sourceIps, m.notSourceIps, v, 1)) return false;
  if (!cidrs(m.destinationIps, m.notDestinationIps, v, 2)) return false;
  if (m.destinationPorts !== null && !m.destinationPorts.includes(request.destination.port)) return false;
  if (m.notDestinationPorts?.includes(request.destination.port)) return false;
  if (!cidrs(m.remoteIps, m.notRemoteIps, v, 3)) return false;
  if (!strings(m.serverNames, m.notServerNames, request.destination.sni ?? '')) return false;
  if (http === undefined) return true;
  if (m.hosts !== null && !anyStringIgnoreCase(m.hosts, http.host)) return false;
  if (m.notHosts !== null && anyStringIgnoreCase(m.notHosts, http.host)) return false;
  if (!strings(m.methods, m.notMethods, http.method)) return false;
  if (m.paths !== null || m.notPaths !== null) {
    const end = v.pathEnd(http.path);
    if (m.paths !== null && !anyPath(m.paths, http.path, end)) return false;
    if (m.notPaths !== null && anyPath(m.notPaths, http.path, end)) return false;
  }
  if (!strings(m.requestPrincipals, m.notRequestPrincipals, http.requestPrincipal ?? '')) return false;
  if (m.headers !== null) {
    for (let i = 0; i < m.headers.length; i++) if (!headerHolds(m.headers[i] as PreparedHeaderCondition, http.headers)) return false;
  }
  if (m.claims !== null) {
    for (let i = 0; i < m.claims.length; i++) if (!claimHolds(m.claims[i] as PreparedClaimCondition, http.claims)) return false;
  }
  return true;
}

function strings(positive: readonly PreparedString[] | null, negative: readonly PreparedString[] | null, value: string): boolean {
  if (positive !== null && !anyString(positive, value)) return false;
  return negative === null || !anyString(negative, value);
}

function cidrs(
  positive: readonly PreparedCidr[] | null,
  negative: readonly PreparedCidr[] | null,
  v: RequestView,
  which: 1 | 2 | 3,
): boolean {
  if (positive === null && negative === null) return true;
  const ip = which === 1 ? v.sourceIp() : which === 2 ? v.destinationIp() : v.remoteIp();
  if (positive !== null && !anyCidr(positive, ip)) return false;
  return negative === null || !anyCidr(negative, ip);
}

/** A principal `td/ns/<ns>/sa/<sa>` has the service account when it ends with `/ns/<ns>/sa/<sa>` right after the trust domain. */
function anyServiceAccount(suffixes: readonly string[], principal: string): boolean {
  const trustDomainEnd = principal.indexOf('/');
  if (trustDomainEnd <= 0) return false;
  for (let i = 0; i < suffixes.length; i++) {
    const suffix = suffixes[i] as string;
    if (principal.length - suffix.length === trustDomainEnd && principal.endsWith(suffix)) return true;
  }
  return false;
}

function anyPath(list: readonly PreparedPath[], path: string, end: number): boolean {
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as PreparedPath;
    if (
      p.string !== null
        ? matchString(p.string, path, end)
        : matchPathTemplate(p.template as NonNullable<PreparedPath['template']>, path, end)
    ) {
      return true;
    }
  }
  return false;
}

/** Repeated headers are matched as Envoy does: their values joined with commas. */
function headerHolds(c: PreparedHeaderCondition, headers: Readonly<Record<string, string | readonly string[] | undefined>>): boolean {
  const raw = headers[c.name];
  const value = raw === undefined || typeof raw === 'string' ? raw : raw.join(',');
  if (c.values !== null && !anyHeaderValue(c.values, value)) return false;
  return c.notValues === null || !anyHeaderValue(c.notValues, value);
}

function anyHeaderValue(list: readonly PreparedString[], value: string | undefined): boolean {
  if (value === undefined) return false;
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as PreparedString;
    // `*` on a header is Envoy's present match: the header exists, whatever its value.
    if (m.kind === PRESENCE || matchString(m, value)) return true;
  }
  return false;
}

function claimHolds(c: PreparedClaimCondition, claims: Readonly<Record<string, unknown>> | undefined): boolean {
  let value: unknown = claims;
  for (let i = 0; i < c.claim.length; i++) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      value = undefined;
      break;
    }
    value = (value as Record<string, unknown>)[c.claim[i] as string];
  }
  if (c.values !== null && !anyClaimValue(c.values, value)) return false;
  return c.notValues === null || !anyClaimValue(c.notValues, value);
}

/** Claims of type string or list of strings are matched, as Istio documents; other types match nothing. */
function anyClaimValue(list: readonly PreparedString[], value: unknown): boolean {
  if (typeof value === 'string') return anyString(list, value);
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item === 'string' && anyString(list, item)) return true;
  }
  return false;
}
