import type { HttpRouteMatch, HttpRouteRule } from '../resources/gateway';
import type { GrpcRouteRule } from '../resources/grpc-route';
import { type AttachableRoute, type Attachment, attachRoute, rejectConflictingRouteKinds, routeKindOf } from './attachment';
import { parseGatewayDuration } from './duration';
import { backendProblem, backendTarget, compileFilters, type RuleContext } from './filters';
import { grpcMethodPath } from './grpc-method';
import { hostnamePrecedence } from './hostname';
import { comparePrecedence, creationTime, type PrecedenceKey } from './precedence';
import { regexProblem } from './regex';
import { reportShadowedRoutes } from './shadowing';
import type {
  BackendResolver,
  CompiledBackend,
  CompiledMatch,
  CompiledRoute,
  CompiledRouteTable,
  CompiledValueMatch,
  ForwardAction,
  RouteAction,
  RouteCompileOptions,
  RouteNote,
  RouteParent,
  RouteRetry,
  RouteTimeouts,
} from './types';
import { unusableRouteAnswer, unusableRouteStatus } from './unusable';

/** Retries when a rule's retry stanza leaves `attempts` out (Istio's default). */
export const DEFAULT_RETRY_ATTEMPTS = 2;

interface Candidate {
  route: CompiledRoute;
  key: PrecedenceKey;
  notePath: string;
}

interface MatchEntry {
  match: CompiledMatch;
  matchIndex: number;
  pathChars: number;
  notePath: string;
  /** GRPCRoute precedence: characters of the method match's service and method. */
  serviceChars?: number;
  methodChars?: number;
}

/** What a rule's action is compiled from: the fields HTTPRoute and GRPCRoute rules share (GRPCRoute has no timeouts or retry). */
type ActionRule = Pick<HttpRouteRule, 'filters' | 'backendRefs' | 'timeouts' | 'retry'>;

/**
 * Compiles the HTTPRoutes and GRPCRoutes attached to one parent (a Service port or a Gateway
 * listener) into one table in Gateway API precedence order, across all rules of all routes. A
 * GRPCRoute's method matches become `:path` matches (grpc-method.ts), so the table and everything
 * that reads it stay the same. Problems are returned as notes with the route and field path; they never throw.
 */
export function compileRouteTable(
  routes: readonly AttachableRoute[],
  parent: RouteParent,
  resolveBackend: BackendResolver,
  options: RouteCompileOptions = {},
): CompiledRouteTable {
  const notes: RouteNote[] = [];
  let attachments: Attachment[] = [];
  for (const route of routes) {
    const attachment = attachRoute(route, parent, notes);
    if (attachment) attachments.push(attachment);
  }
  // GAMMA: clients in a namespace with its own consumer routes use those instead of the producer's.
  if (attachments.some((a) => a.consumer)) attachments = attachments.filter((a) => a.consumer);
  attachments = rejectConflictingRouteKinds(attachments, notes);

  const candidates: Candidate[] = [];
  for (const attachment of attachments) {
    const routeKind = routeKindOf(attachment.route);
    const ctx: RuleContext = { routeId: attachment.id, namespace: attachment.namespace, resolveBackend, routeKind, options, notes };
    compileAttachedRoute(attachment, ctx, candidates);
  }
  candidates.sort((a, b) => comparePrecedence(a.key, b.key));
  const compiled = candidates.map((c) => c.route);
  reportShadowedRoutes(
    compiled,
    candidates.map((c) => c.notePath),
    notes,
  );
  return { routes: compiled, notes, attached: attachments.map((a) => a.id) };
}

function compileAttachedRoute(attachment: Attachment, ctx: RuleContext, out: Candidate[]): void {
  const { route } = attachment;
  // A route without rules gets the CRD default: one rule that matches everything, no backends.
  const rules: (HttpRouteRule | GrpcRouteRule)[] = route.spec.rules?.length ? route.spec.rules : [{}];
  const createdAt = creationTime(route.metadata.creationTimestamp);
  const kind = routeKindOf(route);
  const isGrpc = kind === 'GRPCRoute';
  rules.forEach((rule, ruleIndex) => {
    const base = `spec.rules[${ruleIndex}]`;
    const matches = isGrpc ? compileGrpcMatches(rule as GrpcRouteRule, base, ctx) : compileMatches(rule as HttpRouteRule, base, ctx);
    if (matches.length === 0) return;
    const action = compileAction(rule, base, matches, ctx);
    for (const entry of matches) {
      attachment.hostnames.forEach((binding, hostnameIndex) => {
        const match: CompiledMatch = binding.hostname === undefined ? entry.match : { hostname: binding.hostname, ...entry.match };
        const source: CompiledRoute['source'] = { route: attachment.id, ruleIndex, matchIndex: entry.matchIndex };
        if (rule.name !== undefined) source.ruleName = rule.name;
        const [hostnameExactChars, hostnameChars] = hostnamePrecedence(binding.routeHostname);
        out.push({
          route: { match, source, action },
          notePath: entry.notePath,
          key: {
            kind,
            serviceChars: entry.serviceChars ?? 0,
            methodChars: entry.methodChars ?? 0,
            hostnameExactChars,
            hostnameChars,
            pathType: match.path.type,
            pathChars: entry.pathChars,
            hasMethod: match.method !== undefined,
            headerCount: match.headers.length,
            queryCount: match.queryParams.length,
            createdAt,
            routeId: attachment.id,
            ruleIndex,
            matchIndex: entry.matchIndex,
            hostnameIndex,
          },
        });
      });
    }
  });
}

function compileMatches(rule: HttpRouteRule, base: string, ctx: RuleContext): MatchEntry[] {
  const matches = rule.matches?.length ? rule.matches : undefined;
  if (!matches) {
    return [
      { match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }, matchIndex: 0, pathChars: 1, notePath: base },
    ];
  }
  const entries: MatchEntry[] = [];
  matches.forEach((match, matchIndex) => {
    const notePath = `${base}.matches[${matchIndex}]`;
    const entry = compileMatch(match, notePath, ctx);
    if (entry) entries.push({ ...entry, matchIndex, notePath });
  });
  return entries;
}

/** GRPCRoute matches: the method as a path match, headers as HTTPRoute's (names case-insensitive, first of a name counts). */
function compileGrpcMatches(rule: GrpcRouteRule, base: string, ctx: RuleContext): MatchEntry[] {
  const matches = rule.matches?.length ? rule.matches : [{}];
  const entries: MatchEntry[] = [];
  matches.forEach((m, matchIndex) => {
    const notePath = rule.matches?.length ? `${base}.matches[${matchIndex}]` : base;
    const path = grpcMethodPath(m.method);
    if (path.type === 'RegularExpression' && invalidRegex(path.value, `${notePath}.method`, ctx)) return;
    const headers = compileValueMatches(m.headers, `${notePath}.headers`, ctx, lowerName);
    if (!headers) return;
    entries.push({
      match: { path, headers, queryParams: [] },
      matchIndex,
      notePath,
      pathChars: path.value.length,
      serviceChars: m.method?.service?.length ?? 0,
      methodChars: m.method?.method?.length ?? 0,
    });
  });
  return entries;
}

function invalidRegex(pattern: string, path: string, ctx: RuleContext): boolean {
  const problem = regexProblem(pattern);
  if (problem === undefined) return false;
  ctx.notes.push({
    code: 'InvalidRegex',
    level: 'error',
    route: ctx.routeId,
    path,
    message: `regular expression ${JSON.stringify(pattern)} is not usable (${problem}); this match is ignored`,
  });
  return true;
}

/** Header or query conditions; only the first of several with the same name counts (spec). */
function compileValueMatches(
  matches: HttpRouteMatch['headers'],
  path: string,
  ctx: RuleContext,
  normalizeName: (name: string) => string,
): CompiledValueMatch[] | undefined {
  const out: CompiledValueMatch[] = [];
  const seen = new Set<string>();
  for (const [i, m] of (matches ?? []).entries()) {
    const name = normalizeName(m.name);
    if (seen.has(name)) continue;
    seen.add(name);
    const type = m.type ?? 'Exact';
    if (type === 'RegularExpression' && invalidRegex(m.value, `${path}[${i}].value`, ctx)) return undefined;
    out.push({ name, type, value: m.value });
  }
  return out;
}

function keepName(name: string): string {
  return name;
}

function lowerName(name: string): string {
  return name.toLowerCase();
}

function compileMatch(match: HttpRouteMatch, at: string, ctx: RuleContext): Omit<MatchEntry, 'matchIndex' | 'notePath'> | undefined {
  const type = match.path?.type ?? 'PathPrefix';
  const raw = match.path?.value ?? '/';
  if (type === 'RegularExpression' && invalidRegex(raw, `${at}.path.value`, ctx)) return undefined;
  // A trailing slash is ignored in a prefix: `/v2/` matches exactly what `/v2` does.
  const value = type === 'PathPrefix' && raw.length > 1 ? raw.replace(/\/+$/, '') || '/' : raw;
  const headers = compileValueMatches(match.headers, `${at}.headers`, ctx, lowerName);
  const queryParams = compileValueMatches(match.queryParams, `${at}.queryParams`, ctx, keepName);
  if (!headers || !queryParams) return undefined;
  const compiled: CompiledMatch = { path: { type, value }, headers, queryParams };
  if (match.method !== undefined) compiled.method = match.method;
  return { match: compiled, pathChars: raw.length };
}

function compileAction(rule: ActionRule, base: string, matches: readonly MatchEntry[], ctx: RuleContext): RouteAction {
  const failStatus = unusableRouteStatus(ctx.routeKind);
  const directResponse = (reason: string): RouteAction => ({ type: 'DirectResponse', status: failStatus, reason });
  const answer = unusableRouteAnswer(ctx.routeKind);
  const onlyPrefixMatches = matches.every((m) => m.match.path.type === 'PathPrefix');
  /** Notes filters that cannot work together at `path` and returns why; `consequence` says whose requests get 500. */
  const incompatible = (path: string, message: string, consequence: string) => {
    ctx.notes.push({ code: 'IncompatibleFilters', level: 'error', route: ctx.routeId, path, message: `${message}; ${consequence}` });
    return message;
  };
  const prefixProblem = (path: string) =>
    incompatible(path, 'ReplacePrefixMatch needs PathPrefix matches only', 'matching requests get 500');
  // Envoy applies a route's host rewrite after its ClusterWeight's, so the backend's would be lost; as Istio, one authority per request.
  const hostTwice = (path: string) =>
    incompatible(
      path,
      "the rule's filters rewrite the Host already; a backendRef cannot rewrite it again",
      "this backendRef's share of requests gets 500",
    );
  const ruleFilters = compileFilters(rule.filters, `${base}.filters`, ctx);
  if (ruleFilters.replacesPrefix && !onlyPrefixMatches) return directResponse(prefixProblem(`${base}.filters`));
  if (ruleFilters.failure) return directResponse(ruleFilters.failure);

  const timeouts = compileTimeouts(rule, base, ctx);
  const retry = compileRetry(rule, base, ctx);
  const forward = (backends: CompiledBackend[]): ForwardAction => {
    const action: ForwardAction = { type: 'Forward', backends, filters: ruleFilters.filters, timeouts };
    if (retry) action.retry = retry;
    // Only where a share can fail, so the field survives the RDS round trip (an aborting ClusterWeight carries it).
    if (failStatus !== 500 && backends.some((b) => b.weight > 0 && b.invalid !== undefined)) action.unusableBackendStatus = failStatus;
    return action;
  };
  const refs = rule.backendRefs ?? [];
  if (ruleFilters.filters.some((f) => f.type === 'RequestRedirect')) {
    if (refs.length > 0) {
      ctx.notes.push({
        code: 'RedirectWithBackends',
        level: 'warning',
        route: ctx.routeId,
        path: `${base}.backendRefs`,
        message: 'a rule with a RequestRedirect filter answers with the redirect; its backendRefs are not used',
      });
    }
    return forward([]);
  }
  if (refs.length === 0) {
    ctx.notes.push({
      code: 'NoBackends',
      level: 'warning',
      route: ctx.routeId,
      path: base,
      message: `rule has no backendRefs; matching requests get ${answer}`,
    });
    return directResponse('rule has no backendRefs');
  }

  const backends = refs.map((ref, j): CompiledBackend => {
    const at = `${base}.backendRefs[${j}]`;
    const target = backendTarget(ref, ctx.namespace);
    const backend: CompiledBackend = { ...target, weight: ref.weight ?? 1, filters: [] };
    const problem = backendProblem(ref, target, at, ctx, false);
    // Path rewrites are refused per backend, so no prefix check is needed here.
    const filters = compileFilters(ref.filters, `${at}.filters`, ctx, 'backend');
    backend.filters = filters.filters;
    const invalid =
      problem ?? filters.failure ?? (ruleFilters.rewritesHost && filters.rewritesHost ? hostTwice(`${at}.filters`) : undefined);
    if (invalid !== undefined) backend.invalid = invalid;
    return backend;
  });
  if (backends.every((b) => b.weight === 0)) {
    ctx.notes.push({
      code: 'NoBackends',
      level: 'warning',
      route: ctx.routeId,
      path: `${base}.backendRefs`,
      message: `every backendRef has weight 0; matching requests get ${answer}`,
    });
    return directResponse('every backendRef has weight 0');
  }
  const usable = backends.find((b) => b.weight > 0 && b.invalid === undefined);
  if (!usable) return directResponse(backends.find((b) => b.weight > 0)?.invalid ?? 'no usable backend');
  return forward(backends);
}

function duration(text: string | undefined, path: string, ctx: RuleContext): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseGatewayDuration(text);
  } catch (e) {
    ctx.notes.push({
      code: 'InvalidDuration',
      level: 'error',
      route: ctx.routeId,
      path,
      message: `${(e as Error).message}; it is ignored`,
    });
    return undefined;
  }
}

function compileTimeouts(rule: ActionRule, base: string, ctx: RuleContext): RouteTimeouts {
  const timeouts: RouteTimeouts = {};
  const requestMs = duration(rule.timeouts?.request, `${base}.timeouts.request`, ctx);
  const backendRequestMs = duration(rule.timeouts?.backendRequest, `${base}.timeouts.backendRequest`, ctx);
  if (requestMs !== undefined) timeouts.requestMs = requestMs;
  if (backendRequestMs !== undefined) timeouts.backendRequestMs = backendRequestMs;
  if (requestMs !== undefined && requestMs !== 0 && backendRequestMs !== undefined && backendRequestMs > requestMs) {
    ctx.notes.push({
      code: 'TimeoutOrder',
      level: 'warning',
      route: ctx.routeId,
      path: `${base}.timeouts.backendRequest`,
      message: 'backendRequest timeout is longer than the request timeout, which cuts it short',
    });
  }
  return timeouts;
}

function compileRetry(rule: ActionRule, base: string, ctx: RuleContext): RouteRetry | undefined {
  if (!rule.retry) return undefined;
  const retry: RouteRetry = { attempts: rule.retry.attempts ?? DEFAULT_RETRY_ATTEMPTS, codes: [...(rule.retry.codes ?? [])] };
  const backoffMs = duration(rule.retry.backoff, `${base}.retry.backoff`, ctx);
  if (backoffMs !== undefined) retry.backoffMs = backoffMs;
  return retry;
}
