import type {
  AuthorizationAction,
  AuthorizationCondition,
  AuthorizationOperation,
  AuthorizationPolicy,
  AuthorizationRule,
  AuthorizationSource,
} from '../resources/security';
import { DEFAULT_TRUST_DOMAIN } from '../spiffe';
import { parseIpBlock } from './cidr';
import { type ConditionAttribute, isL4Attribute, parseConditionKey } from './conditions';
import { isPathTemplate, pathTemplateProblem } from './path-template';
import { prepareAuthorization } from './prepare';
import { toStringMatch } from './string-match';
import type {
  AuthorizationScope,
  Clause,
  CompiledPolicy,
  CompiledRule,
  CompileNote,
  CompileResult,
  EnforcementPoint,
  IpBlock,
  Match,
  PathMatch,
  ServiceAccountMatch,
  StringMatch,
} from './types';

/**
 * Turns an Istio AuthorizationPolicy into the CompiledPolicy one enforcement point runs, and
 * says in notes exactly what it had to change. Fail safe throughout: whatever cannot be checked
 * (an HTTP attribute at ztunnel, an unknown `when` key, an unparsable value) makes an ALLOW rule
 * match nothing and a DENY/AUDIT rule match more — never the other way round.
 */

export interface CompileOptions {
  enforcement: EnforcementPoint;
  rootNamespace: string;
  /** The mesh trust domain; principals written with `cluster.local` are rewritten to it, as Istio does. */
  trustDomain?: string;
}

export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** A parsed value, or why it cannot be used; `rewrittenFrom` records a principal moved to the mesh trust domain. */
type Parsed<T> = { value: T; rewrittenFrom?: string } | { error: string };

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function compileAuthorizationPolicy(policy: AuthorizationPolicy, options: CompileOptions): CompileResult {
  const notes: CompileNote[] = [];
  const name = policy.metadata.name;
  const namespace = policy.metadata.namespace ?? 'default';
  const spec = policy.spec;
  const targetRefs = [...(spec.targetRef ? [spec.targetRef] : []), ...(spec.targetRefs ?? [])];

  if (spec.selector && targetRefs.length > 0) {
    notes.push({
      code: 'ConflictingFields',
      level: 'error',
      path: 'spec.selector',
      message: 'selector and targetRefs cannot both be set; the policy is treated as attached by targetRefs',
    });
  }
  if (options.enforcement === 'ztunnel' && targetRefs.length > 0) {
    notes.push({
      code: 'EnforcedAtWaypoint',
      level: 'info',
      path: spec.targetRefs ? 'spec.targetRefs' : 'spec.targetRef',
      message: 'the policy attaches with targetRefs, so the waypoint or service it targets enforces it; ztunnel does not',
    });
    return { compiled: undefined, notes };
  }

  const action: AuthorizationAction = spec.action ?? 'ALLOW';
  if (spec.provider && action !== 'CUSTOM') {
    notes.push({
      code: 'ProviderIgnored',
      level: 'error',
      path: 'spec.provider',
      message: `provider is only used with action CUSTOM; it is ignored for action ${action}`,
    });
  }
  if (action === 'AUDIT' && options.enforcement === 'ztunnel') {
    notes.push({
      code: 'ActionNotSupported',
      level: 'warning',
      path: 'spec.action',
      message: 'ztunnel does not support the AUDIT action; the policy is not sent to ztunnel (attach it to a waypoint to audit requests)',
    });
    return { compiled: undefined, notes };
  }

  const dryRun = parseDryRun(policy.metadata.annotations?.[DRY_RUN_ANNOTATION], notes);
  const scope: AuthorizationScope = spec.selector ? 'WORKLOAD_SELECTOR' : namespace === options.rootNamespace ? 'GLOBAL' : 'NAMESPACE';

  if (action === 'CUSTOM') {
    const provider = spec.provider?.name ?? '';
    notes.push({
      code: 'CustomProviderUnavailable',
      level: 'warning',
      path: spec.provider ? 'spec.provider.name' : 'spec.action',
      message:
        `Ambit has no external authorization provider${provider ? ` "${provider}"` : ''}; as Istio does when a CUSTOM ` +
        'provider is missing, every request to the workloads this policy applies to is denied',
    });
    if (options.enforcement === 'ztunnel') {
      // The workload API has no CUSTOM action: the fail-closed equivalent is a DENY that matches everything.
      return done({ name, namespace, scope, action: 'DENY', rules: [{ clauses: [] }], dryRun, provider }, notes);
    }
  }

  const specRules = spec.rules ?? [];
  const rules: CompiledRule[] = [];
  specRules.forEach((rule, index) => {
    const compiled = new RuleCompiler(action, namespace, options, notes, `spec.rules[${index}]`).compile(rule, index);
    if (compiled) rules.push(compiled);
  });
  if (action === 'ALLOW' && specRules.length > 0 && rules.length === 0) {
    notes.push({
      code: 'AllowPolicyMatchesNothing',
      level: 'warning',
      path: 'spec.rules',
      message: `every rule of this ALLOW policy was dropped at ${options.enforcement}, so it allows nothing: the workloads it applies to reject all traffic that no other ALLOW policy matches`,
    });
  }
  const compiled: CompiledPolicy = { name, namespace, scope, action, rules, dryRun };
  if (action === 'CUSTOM') compiled.provider = spec.provider?.name ?? '';
  return done(compiled, notes);
}

/** Prepares the matchers now, so the first connection evaluated pays nothing extra. */
function done(compiled: CompiledPolicy, notes: CompileNote[]): CompileResult {
  prepareAuthorization(compiled);
  return { compiled, notes };
}

function parseDryRun(value: string | undefined, notes: CompileNote[]): boolean {
  if (value === undefined || GO_FALSE.has(value)) return false;
  if (GO_TRUE.has(value)) return true;
  notes.push({
    code: 'InvalidDryRunAnnotation',
    level: 'warning',
    path: `metadata.annotations["${DRY_RUN_ANNOTATION}"]`,
    message: `"${value}" is not a boolean; the policy is enforced`,
  });
  return false;
}

export function isEmptyMatch(match: Match): boolean {
  for (const key in match) {
    if (match[key as keyof Match] !== undefined) return false;
  }
  return true;
}

function nonEmpty<T>(values: readonly T[] | undefined): values is readonly T[] {
  return values !== undefined && values.length > 0;
}

/** Compiles one rule, recording in `notes` every field it had to drop or ignore. */
class RuleCompiler {
  /** Set when an ALLOW rule meets something it cannot check: the rule is dropped. */
  private dropped = false;
  private readonly lenient: boolean;

  constructor(
    private readonly action: AuthorizationAction,
    private readonly namespace: string,
    private readonly options: CompileOptions,
    private readonly notes: CompileNote[],
    private readonly rulePath: string,
  ) {
    this.lenient = action !== 'ALLOW';
  }

  compile(rule: AuthorizationRule, index: number): CompiledRule | undefined {
    const clauses: Clause[] = [];
    const from = rule.from ?? [];
    if (from.length > 0) {
      this.addClause(
        clauses,
        from.map((f, j) => this.source(f.source, `${this.rulePath}.from[${j}].source`)),
      );
    }
    const to = rule.to ?? [];
    if (to.length > 0) {
      this.addClause(
        clauses,
        to.map((t, j) => this.operation(t.operation, `${this.rulePath}.to[${j}].operation`)),
      );
    }
    (rule.when ?? []).forEach((condition, j) => {
      const match = this.condition(condition, `${this.rulePath}.when[${j}]`);
      if (match) this.addClause(clauses, [match]);
    });
    if (this.dropped) return undefined;
    return { clauses, specRule: index };
  }

  /** A clause with an empty match matches everything, so it adds nothing and is left out. */
  private addClause(clauses: Clause[], matches: Match[]): void {
    if (matches.some(isEmptyMatch)) return;
    clauses.push({ matches });
  }

  private source(s: AuthorizationSource, path: string): Match {
    const m: Match = {};
    const principal = (v: string) => this.principal(v);
    set(m, 'principals', this.list(s.principals, `${path}.principals`, principal, false));
    set(m, 'notPrincipals', this.list(s.notPrincipals, `${path}.notPrincipals`, principal, true));
    set(m, 'namespaces', this.list(s.namespaces, `${path}.namespaces`, parseString, false));
    set(m, 'notNamespaces', this.list(s.notNamespaces, `${path}.notNamespaces`, parseString, true));
    const serviceAccount = (v: string) => this.serviceAccount(v);
    set(m, 'serviceAccounts', this.list(s.serviceAccounts, `${path}.serviceAccounts`, serviceAccount, false));
    set(m, 'notServiceAccounts', this.list(s.notServiceAccounts, `${path}.notServiceAccounts`, serviceAccount, true));
    set(m, 'sourceIps', this.list(s.ipBlocks, `${path}.ipBlocks`, parseIp, false));
    set(m, 'notSourceIps', this.list(s.notIpBlocks, `${path}.notIpBlocks`, parseIp, true));
    if (
      (nonEmpty(s.serviceAccounts) || nonEmpty(s.notServiceAccounts)) &&
      (nonEmpty(s.principals) || nonEmpty(s.notPrincipals) || nonEmpty(s.namespaces) || nonEmpty(s.notNamespaces))
    ) {
      this.notes.push({
        code: 'ConflictingFields',
        level: 'error',
        path: `${path}.serviceAccounts`,
        message: 'Istio does not allow serviceAccounts together with principals or namespaces; all of them are required to match here',
      });
    }
    set(m, 'requestPrincipals', this.l7(s.requestPrincipals, `${path}.requestPrincipals`, parseString, false));
    set(m, 'notRequestPrincipals', this.l7(s.notRequestPrincipals, `${path}.notRequestPrincipals`, parseString, true));
    set(m, 'remoteIps', this.l7(s.remoteIpBlocks, `${path}.remoteIpBlocks`, parseIp, false));
    set(m, 'notRemoteIps', this.l7(s.notRemoteIpBlocks, `${path}.notRemoteIpBlocks`, parseIp, true));
    return m;
  }

  private operation(o: AuthorizationOperation, path: string): Match {
    const m: Match = {};
    set(m, 'destinationPorts', this.list(o.ports, `${path}.ports`, parsePort, false));
    set(m, 'notDestinationPorts', this.list(o.notPorts, `${path}.notPorts`, parsePort, true));
    set(m, 'hosts', this.l7(o.hosts, `${path}.hosts`, parseHost, false));
    set(m, 'notHosts', this.l7(o.notHosts, `${path}.notHosts`, parseHost, true));
    set(m, 'methods', this.l7(o.methods, `${path}.methods`, parseString, false));
    set(m, 'notMethods', this.l7(o.notMethods, `${path}.notMethods`, parseString, true));
    set(m, 'paths', this.l7(o.paths, `${path}.paths`, parsePath, false));
    set(m, 'notPaths', this.l7(o.notPaths, `${path}.notPaths`, parsePath, true));
    return m;
  }

  private condition(c: AuthorizationCondition, path: string): Match | undefined {
    const key = parseConditionKey(c.key);
    if ('invalid' in key) {
      this.cannotUse('InvalidValue', `${path}.key`, key.invalid, 'condition');
      return undefined;
    }
    if ('unsupported' in key) {
      this.cannotUse('UnsupportedConditionKey', `${path}.key`, key.unsupported, 'condition');
      return undefined;
    }
    if (!nonEmpty(c.values) && !nonEmpty(c.notValues)) {
      this.cannotUse('InvalidValue', path, `condition "${c.key}" needs values or notValues`, 'condition');
      return undefined;
    }
    if (this.options.enforcement === 'ztunnel' && !isL4Attribute(key.attribute)) {
      this.unseen(`${path}.key`, `condition "${c.key}"`, key.attribute.startsWith('request.') ? 'http' : 'waypoint');
      return undefined;
    }
    const m: Match = {};
    const values = `${path}.values`;
    const notValues = `${path}.notValues`;
    const pair = <K extends keyof Match, T>(positive: K, negative: K, parse: (v: string) => Parsed<T>) => {
      set(m, positive, this.list(c.values, values, parse, false) as Match[K]);
      set(m, negative, this.list(c.notValues, notValues, parse, true) as Match[K]);
    };
    const attribute: ConditionAttribute = key.attribute;
    switch (attribute) {
      case 'source.ip':
        pair('sourceIps', 'notSourceIps', parseIp);
        break;
      case 'remote.ip':
        pair('remoteIps', 'notRemoteIps', parseIp);
        break;
      case 'destination.ip':
        pair('destinationIps', 'notDestinationIps', parseIp);
        break;
      case 'destination.port':
        pair('destinationPorts', 'notDestinationPorts', parsePort);
        break;
      case 'source.namespace':
        pair('namespaces', 'notNamespaces', parseString);
        break;
      case 'source.principal':
        pair('principals', 'notPrincipals', (v) => this.principal(v));
        break;
      case 'source.serviceAccount':
        pair('serviceAccounts', 'notServiceAccounts', (v) => this.serviceAccount(v));
        break;
      case 'request.auth.principal':
        pair('requestPrincipals', 'notRequestPrincipals', parseString);
        break;
      case 'connection.sni':
        pair('serverNames', 'notServerNames', parseString);
        break;
      case 'request.headers': {
        const condition = this.valueCondition(c, values, notValues);
        if (condition) m.headers = [{ name: key.header as string, ...condition }];
        break;
      }
      case 'request.auth.claims':
      case 'request.auth.audiences':
      case 'request.auth.presenter': {
        const claim =
          attribute === 'request.auth.claims' ? (key.claim as string[]) : [attribute === 'request.auth.audiences' ? 'aud' : 'azp'];
        const condition = this.valueCondition(c, values, notValues);
        if (condition) m.claims = [{ claim, ...condition }];
        break;
      }
    }
    return m;
  }

  private valueCondition(c: AuthorizationCondition, values: string, notValues: string) {
    const positive = this.list(c.values, values, parseString, false);
    const negative = this.list(c.notValues, notValues, parseString, true);
    if (!positive && !negative) return undefined;
    const out: { values?: StringMatch[]; notValues?: StringMatch[] } = {};
    if (positive) out.values = positive;
    if (negative) out.notValues = negative;
    return out;
  }

  /**
   * Parses a list. An unparsable value drops an ALLOW rule; in a DENY rule it makes a positive
   * field unconstrained (so the rule matches more) and is left out of a negative one (excluding less).
   */
  private list<T>(
    values: readonly string[] | undefined,
    path: string,
    parse: (v: string) => Parsed<T>,
    negative: boolean,
  ): T[] | undefined {
    if (!nonEmpty(values)) return undefined;
    const out: T[] = [];
    let bad = false;
    values.forEach((value, k) => {
      const parsed = parse(value);
      if ('error' in parsed) {
        bad = true;
        this.cannotUse('InvalidValue', `${path}[${k}]`, parsed.error, negative ? 'value' : 'field');
        return;
      }
      out.push(parsed.value);
      if (parsed.rewrittenFrom !== undefined) {
        this.notes.push({
          code: 'TrustDomainRewritten',
          level: 'info',
          path: `${path}[${k}]`,
          message: `"${parsed.rewrittenFrom}" names the default trust domain ${DEFAULT_TRUST_DOMAIN}; it is matched in the mesh trust domain ${this.options.trustDomain}`,
        });
      }
    });
    if (bad && !negative) return undefined;
    return out.length > 0 ? out : undefined;
  }

  /** A field only a waypoint can check. */
  private l7<T>(values: readonly string[] | undefined, path: string, parse: (v: string) => Parsed<T>, negative: boolean): T[] | undefined {
    if (!nonEmpty(values)) return undefined;
    if (this.options.enforcement === 'ztunnel') {
      const field = path.slice(path.lastIndexOf('.') + 1);
      this.unseen(path, `"${field}"`, /remoteipblocks$/i.test(field) ? 'waypoint' : 'http');
      return undefined;
    }
    return this.list(values, path, parse, negative);
  }

  /** Something ztunnel cannot check: an HTTP attribute, or one only a waypoint knows (the original client, SNI). */
  private unseen(path: string, what: string, kind: 'http' | 'waypoint'): void {
    const why =
      kind === 'http'
        ? `${what} is an HTTP attribute, which ztunnel cannot see; attach the policy to a waypoint (targetRefs) to enforce it`
        : `${what} is only known to a waypoint, not to ztunnel; attach the policy to a waypoint (targetRefs) to enforce it`;
    if (!this.lenient) {
      this.dropped = true;
      this.notes.push({
        code: 'AllowRuleDropped',
        level: 'warning',
        path,
        message: `${why}. This ALLOW rule is dropped at ztunnel and never matches, which allows less than written`,
      });
      return;
    }
    this.notes.push({
      code: 'DenyRuleWidened',
      level: 'warning',
      path,
      message: `${why}. This ${this.action} rule is enforced without it and matches more than written`,
    });
  }

  /** What cannot be used: a whole `when` condition, a positive field, or one value of a negative field. */
  private cannotUse(
    code: 'InvalidValue' | 'UnsupportedConditionKey',
    path: string,
    problem: string,
    ignored: 'condition' | 'field' | 'value',
  ): void {
    if (!this.lenient) {
      this.dropped = true;
      this.notes.push({ code, level: 'error', path, message: `${problem}; this ALLOW rule never matches` });
      return;
    }
    this.notes.push({
      code,
      level: 'error',
      path,
      message: `${problem}; the ${ignored} is ignored, so this ${this.action} rule matches more`,
    });
  }

  /** Istio reads `cluster.local` in a principal as "this mesh's trust domain". */
  private principal(value: string): Parsed<StringMatch> {
    if (value === '') return { error: 'empty value' };
    if (value.startsWith('spiffe://')) return { error: `"${value}": principals are written without the spiffe:// prefix` };
    const trustDomain = this.options.trustDomain;
    const parts = value.split('/');
    if (trustDomain && trustDomain !== DEFAULT_TRUST_DOMAIN && parts.length === 5 && parts[0] === DEFAULT_TRUST_DOMAIN) {
      return { value: toStringMatch([trustDomain, ...parts.slice(1)].join('/')), rewrittenFrom: value };
    }
    return { value: toStringMatch(value) };
  }

  /** `<namespace>/<name>`, or `<name>` in the policy's namespace; exact, no wildcards. */
  private serviceAccount(value: string): Parsed<ServiceAccountMatch> {
    if (value.includes('*')) return { error: `"${value}": serviceAccounts do not support wildcards` };
    const parts = value.split('/');
    if (parts.length === 1 && parts[0] !== '') return { value: { namespace: this.namespace, serviceAccount: value } };
    if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
      return { value: { namespace: parts[0] as string, serviceAccount: parts[1] as string } };
    }
    return { error: `"${value}": a service account is written <namespace>/<name> or <name>` };
  }
}

function set<K extends keyof Match>(m: Match, key: K, value: Match[K] | undefined): void {
  if (value !== undefined) m[key] = value;
}

function parseString(value: string): Parsed<StringMatch> {
  return value === '' ? { error: 'empty value' } : { value: toStringMatch(value) };
}

function parseHost(value: string): Parsed<StringMatch> {
  return parseString(value.toLowerCase());
}

function parsePort(value: string): Parsed<number> {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) return { error: `"${value}" is not a port number (0-65535)` };
  return { value: Number(value) };
}

function parseIp(value: string): Parsed<IpBlock> {
  const block = parseIpBlock(value);
  return block ? { value: block } : { error: `"${value}" is not an IP address or CIDR block` };
}

function parsePath(value: string): Parsed<PathMatch> {
  if (value === '') return { error: 'empty value' };
  if (!isPathTemplate(value)) return { value: toStringMatch(value) };
  const problem = pathTemplateProblem(value);
  return problem ? { error: `"${value}": ${problem}` } : { value: { template: value } };
}
