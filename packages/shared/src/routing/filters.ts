import type { HttpHeaderModifier, HttpRouteFilter } from '../resources/gateway';
import { isFramingHeader } from './headers';
import type {
  BackendReference,
  BackendResolver,
  BackendTarget,
  CompiledFilter,
  HeaderModifier,
  PathModifier,
  RouteCompileOptions,
  RouteKind,
  RouteNote,
} from './types';
import { unusableRouteAnswer } from './unusable';

/** What compiling the filters and backends of one route needs to know and where it reports. */
export interface RuleContext {
  routeId: string;
  namespace: string;
  resolveBackend: BackendResolver;
  routeKind: RouteKind;
  options: RouteCompileOptions;
  notes: RouteNote[];
}

export function backendTarget(ref: BackendReference, routeNamespace: string): BackendTarget {
  const group = ref.group === 'core' ? '' : (ref.group ?? '');
  const target: BackendTarget = { group, kind: ref.kind ?? 'Service', name: ref.name, namespace: ref.namespace ?? routeNamespace };
  if (ref.port !== undefined) target.port = ref.port;
  return target;
}

/** Why a backend reference cannot receive traffic (with a note at `path`), or undefined. */
export function backendProblem(
  ref: BackendReference,
  target: BackendTarget,
  path: string,
  ctx: RuleContext,
  mirror: boolean,
): string | undefined {
  const label = `${target.kind} ${target.namespace}/${target.name}`;
  if (target.group === '' && target.kind === 'Service' && target.port === undefined) {
    const message = `${label} needs a port`;
    ctx.notes.push({ code: 'BackendPortRequired', level: 'error', route: ctx.routeId, path, message });
    return message;
  }
  const resolution = ctx.resolveBackend(ref, ctx.namespace, ctx.routeKind);
  if (resolution.exists) return undefined;
  const why = resolution.reason ?? 'BackendNotFound';
  const message = mirror
    ? `mirror target ${label} cannot be used (${why}); requests are not mirrored`
    : `${label} cannot be used (${why}); its share of requests gets ${unusableRouteAnswer(ctx.routeKind)}`;
  ctx.notes.push({ code: mirror ? 'MirrorBackendNotFound' : 'BackendNotFound', level: 'warning', route: ctx.routeId, path, message });
  return `${label}: ${why}`;
}

type HeaderFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier';

/**
 * A header modifier as the waypoint applies it: names lower-cased, the first of equivalent names
 * kept (Gateway API: later entries with an equivalent name MUST be ignored), and the names a
 * filter cannot change left out (isFramingHeader), each warned about at its field. A request's
 * Host is not a header edit but the authority rewrite (`host`), as Istio does (istio/istio#31844).
 */
function headerModifier(
  modifier: HttpHeaderModifier,
  type: HeaderFilterType,
  at: string,
  ctx: RuleContext,
): { modifier: HeaderModifier; host?: string } {
  const field = type === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier';
  let host: string | undefined;
  const ignored = (where: string, name: string, why: string) =>
    ctx.notes.push({
      code: 'HeaderEditIgnored',
      level: 'warning',
      route: ctx.routeId,
      path: `${at}.${field}.${where}`,
      message: `${name} ${why}; remove it from the filter`,
    });
  const kept = (entries: readonly { name: string; value: string }[] | undefined, list: 'set' | 'add') => {
    const out: { name: string; value: string }[] = [];
    const seen = new Set<string>();
    (entries ?? []).forEach((h, i) => {
      const name = h.name.toLowerCase();
      if (seen.has(name)) {
        ignored(`${list}[${i}].name`, h.name, 'is named earlier in this list, and only the first counts');
        return;
      }
      seen.add(name);
      if (name === 'host' && type === 'RequestHeaderModifier') {
        if (host === undefined) host = h.value;
        else ignored(`${list}[${i}].name`, h.name, 'is set earlier in this filter, and only the first Host counts');
      } else if (isFramingHeader(name)) {
        ignored(`${list}[${i}].name`, h.name, FRAMING_WHY);
      } else out.push({ name, value: h.value });
    });
    return out;
  };
  const set = kept(modifier.set, 'set');
  const add = kept(modifier.add, 'add');
  const remove: string[] = [];
  (modifier.remove ?? []).forEach((raw, i) => {
    const name = raw.toLowerCase();
    if (isFramingHeader(name)) ignored(`remove[${i}]`, raw, FRAMING_WHY);
    else if (!remove.includes(name)) remove.push(name);
  });
  return host === undefined ? { modifier: { set, add, remove } } : { modifier: { set, add, remove }, host };
}

const FRAMING_WHY =
  'frames the message, belongs to one hop or is the authority, so a header filter cannot change it (a URLRewrite hostname changes the Host)';

function pathModifier(path: { type: PathModifier['type']; replaceFullPath?: string; replacePrefixMatch?: string }): PathModifier {
  const value = path.type === 'ReplaceFullPath' ? path.replaceFullPath : path.replacePrefixMatch;
  return { type: path.type, value: value ?? '' };
}

function isKnownExtension(ref: { group: string; kind: string }, options: RouteCompileOptions): boolean {
  return (options.extensionKinds ?? []).some((k) => k.group === ref.group && k.kind === ref.kind);
}

export interface CompiledFilters {
  filters: CompiledFilter[];
  /** Set when a filter cannot be honoured: requests it would process must get an error instead. */
  failure?: string;
  /** The filters ask to replace the matched prefix, which needs PathPrefix matches. */
  replacesPrefix: boolean;
  /** A URLRewrite hostname or a RequestHeaderModifier Host rewrites the authority. */
  rewritesHost: boolean;
}

/**
 * Whose filters: a rule's apply to all its requests; a backendRef's only to those sent to that
 * backend, where the waypoint (an Envoy WeightedCluster.ClusterWeight) has header modifiers, a
 * host rewrite and per-filter config (faults) but no redirect, path rewrite or mirror.
 */
export type FilterScope = 'rule' | 'backend';

/** Filter types a filter list may hold once (the CRD's validation: "… filter cannot be repeated"). */
const NOT_REPEATABLE = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'] as const;

function isEmptyModifier(modifier: HeaderModifier): boolean {
  return modifier.set.length === 0 && modifier.add.length === 0 && modifier.remove.length === 0;
}

/** Compiles a rule's or a backend's filters, in order. `path` is the field path of the list. */
export function compileFilters(
  filters: readonly HttpRouteFilter[] | undefined,
  path: string,
  ctx: RuleContext,
  scope: FilterScope = 'rule',
): CompiledFilters {
  const out: CompiledFilters = { filters: [], replacesPrefix: false, rewritesHost: false };
  let hostnameRewrites = 0;
  const answer = unusableRouteAnswer(ctx.routeKind);
  const consequence = scope === 'rule' ? `matching requests get ${answer}` : `this backendRef's share of requests gets ${answer}`;
  const fail = (code: RouteNote['code'], at: string, message: string) => {
    ctx.notes.push({ code, level: 'error', route: ctx.routeId, path: at, message: `${message}; ${consequence}` });
    out.failure ??= message;
  };
  // Istio refuses these on a backendRef too (InvalidFilter); compiling them would make the simulator apply what the waypoint cannot.
  const perRouteOnly = (at: string, what: string) =>
    fail('UnsupportedFilter', at, `${what} cannot apply to one backendRef: the waypoint, as Envoy, has it only for a whole rule`);
  const redirects = (filters ?? []).some((f) => f.type === 'RequestRedirect');
  (filters ?? []).forEach((filter, i) => {
    const at = `${path}[${i}]`;
    switch (filter.type) {
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier': {
        const modifier = (filter.type === 'RequestHeaderModifier' ? filter.requestHeaderModifier : filter.responseHeaderModifier) ?? {};
        const { modifier: compiled, host } = headerModifier(modifier, filter.type, at, ctx);
        // One that only set Host is all rewrite (below): an empty modifier has no Envoy form to round-trip.
        if (!isEmptyModifier(compiled)) out.filters.push({ type: filter.type, ...compiled });
        if (host === undefined) return;
        if (redirects) {
          const message = 'Host has no effect beside a RequestRedirect; set requestRedirect.hostname instead';
          ctx.notes.push({ code: 'HeaderEditIgnored', level: 'warning', route: ctx.routeId, path: `${at}.requestHeaderModifier`, message });
          return;
        }
        out.filters.push({ type: 'URLRewrite', hostname: host });
        hostnameRewrites++;
        return;
      }
      case 'RequestRedirect': {
        if (scope === 'backend') {
          perRouteOnly(`${at}.type`, 'RequestRedirect');
          return;
        }
        const r = filter.requestRedirect ?? {};
        const compiled: CompiledFilter = { type: 'RequestRedirect', statusCode: r.statusCode ?? 302 };
        if (r.scheme !== undefined) compiled.scheme = r.scheme;
        if (r.hostname !== undefined) compiled.hostname = r.hostname;
        if (r.port !== undefined) compiled.port = r.port;
        if (r.path !== undefined) compiled.path = pathModifier(r.path);
        out.replacesPrefix ||= r.path?.type === 'ReplacePrefixMatch';
        out.filters.push(compiled);
        return;
      }
      case 'URLRewrite': {
        const r = filter.urlRewrite ?? {};
        // The hostname alone maps to ClusterWeight.host_rewrite_literal; a path rewrite exists only per route.
        if (scope === 'backend' && r.path !== undefined) {
          perRouteOnly(`${at}.urlRewrite.path`, 'a URLRewrite path');
          return;
        }
        const compiled: CompiledFilter = { type: 'URLRewrite' };
        if (r.hostname !== undefined) {
          compiled.hostname = r.hostname;
          hostnameRewrites++;
        }
        if (r.path !== undefined) compiled.path = pathModifier(r.path);
        out.replacesPrefix ||= r.path?.type === 'ReplacePrefixMatch';
        out.filters.push(compiled);
        return;
      }
      case 'RequestMirror': {
        if (scope === 'backend') {
          perRouteOnly(`${at}.type`, 'RequestMirror');
          return;
        }
        const mirror = filter.requestMirror;
        if (!mirror) return;
        const target = backendTarget(mirror.backendRef, ctx.namespace);
        if (backendProblem(mirror.backendRef, target, `${at}.requestMirror.backendRef`, ctx, true)) return;
        const fraction = mirror.fraction;
        const percent = mirror.percent ?? (fraction ? (fraction.numerator / (fraction.denominator ?? 100)) * 100 : 100);
        out.filters.push({ type: 'RequestMirror', backend: target, percent: Math.min(100, percent) });
        return;
      }
      case 'ExtensionRef': {
        const ref = filter.extensionRef;
        if (!ref) return;
        if (!isKnownExtension(ref, ctx.options)) {
          fail(
            'UnknownExtensionRef',
            `${at}.extensionRef`,
            `ExtensionRef to unsupported kind ${ref.kind}.${ref.group || 'core'} (${ref.name})`,
          );
          return;
        }
        out.filters.push({ type: 'ExtensionRef', group: ref.group, kind: ref.kind, name: ref.name });
        return;
      }
      default:
        // CORS, ExternalAuth and types added later: skipping them could open what they guard.
        fail('UnsupportedFilter', `${at}.type`, `filter type ${filter.type} is not supported`);
    }
  });
  const types = new Set((filters ?? []).map((f) => f.type));
  // The HTTPRoute CRD refuses these twice in one list; Envoy's form keeps only one redirect or path rewrite, so the waypoint would differ from this table.
  for (const type of NOT_REPEATABLE) {
    if ((filters ?? []).filter((f) => f.type === type).length > 1) fail('IncompatibleFilters', path, `${type} filter cannot be repeated`);
  }
  // On a backendRef the redirect is refused above already.
  if (scope === 'rule' && types.has('RequestRedirect') && types.has('URLRewrite')) {
    fail('IncompatibleFilters', path, 'RequestRedirect and URLRewrite cannot be used together');
  }
  // As Istio's validateAuthorityRewrite: one authority per request, whichever filter sets it.
  if (hostnameRewrites > 1) {
    fail('IncompatibleFilters', path, 'the Host is rewritten more than once (URLRewrite hostname or a RequestHeaderModifier Host)');
  }
  out.rewritesHost = hostnameRewrites > 0;
  return out;
}
