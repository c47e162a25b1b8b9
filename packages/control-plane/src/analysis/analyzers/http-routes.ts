import { type HttpRoute, type HttpRouteFilter, type ReferenceGrant, ROUTE_EXTENSION_KINDS, type Service } from '@ambit/shared';
import type { GrpcRoute } from '@ambit/shared/resources/grpc-route';
import {
  type AttachableRoute,
  type BackendReference,
  type BackendResolution,
  type BackendResolver,
  compileRouteTable,
  type RouteKind,
  type RouteNote,
  type RouteNoteCode,
  routeId,
  routeKindOf,
  unusableRouteAnswer,
} from '@ambit/shared/routing';
import { missingServiceGrant, ReferenceGrants, refusedServiceRef, resolversByParentKind } from '../../registry/index';
import { CODES, type CodeInfo } from '../codes';
import type { AnalysisContext, Analyzer } from '../context';
import { fieldAt } from '../field-path';
import { messageFor, namespaceOf } from '../message';
import { notFoundMessage, parentTargetOf } from '../object-refs';
import { parentsOf, targetKey } from '../route-parents';
import type { AnalysisMessage } from '../types';

/**
 * HTTPRoutes and GRPCRoutes as the waypoint will run them (compiled together, as the translator does): every route compiled with the shared
 * `compileRouteTable` against each parent it names (each Service port, each Gateway listener),
 * and its notes turned into messages — missing backends, shadowed rules, unsupported filters,
 * rules without backends, backends in another namespace no ReferenceGrant permits (routes on a
 * Gateway; Service parents need none, as in the translator). Plus what only the mesh knows: a
 * route on a Service that no waypoint serves does nothing, since ztunnel does not route HTTP; nor
 * does a consumer route (not applied yet).
 */
export const httpRoutesAnalyzer: Analyzer = (ctx) => {
  const routes: AttachableRoute[] = [...ctx.ofKind<HttpRoute>('HTTPRoute'), ...ctx.ofKind<GrpcRoute>('GRPCRoute')];
  if (routes.length === 0) return [];
  const resolvers = resolversByParentKind(
    new ReferenceGrants(ctx.ofKind<ReferenceGrant>('ReferenceGrant')),
    (grants): BackendResolver =>
      (ref, namespace, kind) =>
        resolveBackendRef(ctx, ref, namespace, kind, grants),
  );
  const notes: RouteNote[] = [];
  // The resolver each note's table was compiled with, to explain the note the same way.
  const resolverOf = new Map<RouteNote, BackendResolver>();
  const attached = new Map<string, Set<string>>();
  for (const { target, parent } of parentsOf(ctx, routes)) {
    const resolveBackend = resolvers[parent.kind];
    const table = compileRouteTable(routes, parent, resolveBackend, { extensionKinds: ROUTE_EXTENSION_KINDS });
    for (const note of table.notes) resolverOf.set(note, resolveBackend);
    notes.push(...table.notes);
    const key = targetKey(target);
    const ids = attached.get(key) ?? new Set<string>();
    for (const id of table.attached) ids.add(id);
    attached.set(key, ids);
  }
  const byId = new Map(routes.map((r) => [routeId(r), r]));
  const out = notesToMessages(ctx, notes, byId, (note) => resolverOf.get(note) ?? resolvers.Service);
  for (const route of routes) out.push(...parentMessages(ctx, route, notes, attached), ...extensionRefMessages(ctx, route));
  return out;
};

/** ExtensionRef filters naming an Ambit resource that does not exist: the rule (or that backend's share) cannot be used (500; GRPCRoute 503). */
function extensionRefMessages(ctx: AnalysisContext, route: AttachableRoute): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const namespace = namespaceOf(route);
  const answer = unusableRouteAnswer(routeKindOf(route));
  const check = (filters: readonly HttpRouteFilter[] | undefined, at: string, consequence: string) =>
    filters?.forEach((filter, f) => {
      const ref = filter.extensionRef;
      if (!ref || !ROUTE_EXTENSION_KINDS.some((k) => k.group === ref.group && k.kind === ref.kind)) return;
      if (ctx.find(ref.kind, namespace, ref.name)) return;
      const message = `${notFoundMessage(ctx, ref.kind, namespace, ref.name)}; ${consequence}`;
      out.push(messageFor(CODES.ReferencedResourceNotFound, route, `${at}[${f}].extensionRef`, message));
    });
  route.spec.rules?.forEach((rule, r) => {
    check(rule.filters, `spec.rules[${r}].filters`, `matching requests get ${answer}`);
    rule.backendRefs?.forEach((ref, b) => {
      check(ref.filters, `spec.rules[${r}].backendRefs[${b}].filters`, `this backendRef's share of requests gets ${answer}`);
    });
  });
  return out;
}

/**
 * What a backendRef resolves to: only Services are backends; a named port must be one of the
 * Service's; with `grants`, a Service of another namespace must be granted, before it is looked up.
 */
function resolveBackendRef(
  ctx: AnalysisContext,
  ref: BackendReference,
  routeNamespace: string,
  routeKind: RouteKind,
  grants?: ReferenceGrants,
): BackendResolution {
  const refused = refusedServiceRef(ref, routeNamespace, routeKind, grants);
  if (refused) return refused;
  const namespace = ref.namespace ?? routeNamespace;
  const service = ctx.findService(namespace, ref.name);
  if (!service) return { exists: false, reason: 'BackendNotFound' };
  // An invalid Service may have anything for ports; only a real list can prove the port absent.
  const ports: unknown = service.spec?.ports;
  if (ref.port !== undefined && Array.isArray(ports) && !ports.some((p: { port?: unknown }) => p?.port === ref.port)) {
    return { exists: false, reason: 'PortNotFound' };
  }
  return { exists: true };
}

type NoteHandling = CodeInfo | 'backend' | 'unreachable';

const NOTE_CODES: Record<RouteNoteCode, NoteHandling> = {
  BackendNotFound: 'backend',
  MirrorBackendNotFound: 'backend',
  UnreachableMatch: 'unreachable',
  BackendPortRequired: CODES.SchemaValidationError,
  IncompatibleFilters: CODES.SchemaValidationError,
  UnsupportedFilter: CODES.UnsupportedRouteFilter,
  UnknownExtensionRef: CODES.UnsupportedRouteFilter,
  InvalidRegex: CODES.InvalidRouteValue,
  InvalidDuration: CODES.InvalidRouteValue,
  NoBackends: CODES.RuleWithoutBackends,
  RedirectWithBackends: CODES.IneffectiveRouteSetting,
  TimeoutOrder: CODES.IneffectiveRouteSetting,
  HeaderEditIgnored: CODES.IneffectiveRouteSetting,
  HostnamesIgnored: CODES.ServiceRouteHostnamesIgnored,
  NoMatchingListenerHostname: CODES.RouteNotAccepted,
  NotAllowedByListeners: CODES.RouteNotAccepted,
  RouteKindConflict: CODES.RouteNotAccepted,
};

function notesToMessages(
  ctx: AnalysisContext,
  notes: readonly RouteNote[],
  byId: ReadonlyMap<string, AttachableRoute>,
  resolverOf: (note: RouteNote) => BackendResolver,
): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const unreachable = new Map<string, RouteNote>();
  for (const note of notes) {
    const route = byId.get(note.route);
    if (!route) continue;
    const handling = NOTE_CODES[note.code];
    if (handling === 'unreachable') unreachable.set(`${note.route} ${note.path}`, note);
    else if (handling === 'backend') out.push(backendMessage(ctx, route, note, resolverOf(note)));
    else out.push(messageFor(handling, route, note.path, note.message));
  }
  out.push(...unreachableMessages(unreachable, byId));
  return out;
}

/** Istio's IST0101 wording for a backend that is not there (or what to create where one is not permitted), and what happens to its traffic. */
function backendMessage(ctx: AnalysisContext, route: AttachableRoute, note: RouteNote, resolveBackend: BackendResolver): AnalysisMessage {
  const consequence =
    note.code === 'MirrorBackendNotFound'
      ? 'requests are not mirrored'
      : `its share of requests gets ${unusableRouteAnswer(routeKindOf(route))}`;
  const ref = fieldAt(route, note.path) as BackendReference | undefined;
  if (!ref || typeof ref.name !== 'string') return messageFor(CODES.ReferencedResourceNotFound, route, note.path, note.message);
  const namespace = ref.namespace ?? namespaceOf(route);
  const resolution = resolveBackend(ref, namespaceOf(route), routeKindOf(route));
  if (resolution.reason === 'InvalidKind') {
    const kind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
    return messageFor(
      CODES.UnsupportedReferenceKind,
      route,
      note.path,
      `backends are Services; Ambit has no backend of kind ${kind}: ${consequence}`,
    );
  }
  if (resolution.reason === 'RefNotPermitted') {
    const grant = missingServiceGrant(namespaceOf(route), namespace, ref.name, routeKindOf(route));
    const message = `Service ${namespace}/${ref.name} is in another namespace and no ReferenceGrant permits this route to use it: ${consequence}. To permit it, create ${grant}`;
    return messageFor(CODES.ReferenceNotPermitted, route, note.path, message);
  }
  const what =
    resolution.reason === 'PortNotFound'
      ? `Referenced port ${ref.port} of Service ${namespace}/${ref.name} not found`
      : notFoundMessage(ctx, 'Service', namespace, ref.name);
  return messageFor(CODES.ReferencedResourceNotFound, route, note.path, `${what}; ${consequence}`);
}

const RULE_PATH = /^spec\.rules\[(\d+)\]/;

/**
 * Shadowed matches, as Istio reports them for VirtualServices: a rule none of whose matches is
 * ever used is IST0130; a single unused match in a rule that is otherwise used is IST0131.
 */
function unreachableMessages(notes: ReadonlyMap<string, RouteNote>, byId: ReadonlyMap<string, AttachableRoute>): AnalysisMessage[] {
  const byRule = new Map<string, RouteNote[]>();
  for (const note of notes.values()) {
    const rule = RULE_PATH.exec(note.path)?.[0] ?? note.path;
    const key = `${note.route} ${rule}`;
    byRule.set(key, [...(byRule.get(key) ?? []), note]);
  }
  const out: AnalysisMessage[] = [];
  for (const ruleNotes of byRule.values()) {
    const first = ruleNotes[0] as RouteNote;
    const route = byId.get(first.route) as AttachableRoute;
    const match = RULE_PATH.exec(first.path);
    const rulePath = match?.[0] ?? first.path;
    const matchCount = route.spec.rules?.[Number(match?.[1])]?.matches?.length ?? 0;
    const why = (note: RouteNote) => note.message.replace(/^never used: /, '');
    if (ruleNotes.length >= Math.max(1, matchCount)) {
      const reasons = [...new Set(ruleNotes.map(why))].join('; ');
      out.push(messageFor(CODES.UnreachableRule, route, rulePath, `This rule is never used: ${reasons}`));
    } else {
      for (const note of ruleNotes)
        out.push(messageFor(CODES.IneffectiveMatch, route, note.path, `This match is never used: ${why(note)}`));
    }
  }
  return out;
}

/** Per parentRef to an existing parent: the route did not attach to it at all, is a consumer route (not applied), or names a Service no waypoint serves. */
function parentMessages(
  ctx: AnalysisContext,
  route: AttachableRoute,
  notes: readonly RouteNote[],
  attached: ReadonlyMap<string, ReadonlySet<string>>,
): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const id = routeId(route);
  // Refusals the compiler explained already (namespace not allowed, no common hostname).
  const explained = notes.some((n) => n.route === id && NOTE_CODES[n.code] === CODES.RouteNotAccepted);
  (route.spec.parentRefs ?? []).forEach((ref, i) => {
    const path = `spec.parentRefs[${i}]`;
    const target = parentTargetOf(ref, namespaceOf(route));
    if ('unsupported' in target) return;
    // Only parents that were compiled: a missing or invalid one is reported elsewhere.
    const parentObject = ctx.get(target.kind, target.namespace, target.name);
    if (!parentObject) return;
    const service = target.kind === 'Service' ? (parentObject as Service) : undefined;
    const label = `${target.kind} ${target.namespace}/${target.name}`;
    if (!explained && !attached.get(targetKey(target))?.has(id)) {
      const wanted = [ref.port !== undefined ? `port ${ref.port}` : '', ref.sectionName ? `sectionName ${ref.sectionName}` : ''].filter(
        Boolean,
      );
      const part = target.kind === 'Service' ? 'port' : 'listener';
      const why = wanted.length > 0 ? `has no ${part} matching ${wanted.join(' and ')}` : `has no ${part}s`;
      out.push(messageFor(CODES.RouteNotAccepted, route, path, `${label} ${why}; the route does not attach to it`));
    } else if (service && target.namespace !== namespaceOf(route)) {
      // The translator compiles one table per service port, the producer's: see translate/route-tables.ts.
      out.push(
        messageFor(
          CODES.RouteNotAccepted,
          route,
          path,
          `${label} is in another namespace, which makes this a consumer route (GAMMA) for clients in ${namespaceOf(route)}; Ambit's waypoints do not apply consumer routes yet, so it has no effect and those clients follow the routes of namespace ${target.namespace}`,
        ),
      );
    }
    if (service && !ctx.waypointForService(service).binding) {
      out.push(
        messageFor(
          CODES.RouteWithoutWaypoint,
          route,
          path,
          `No waypoint serves ${label}, and ztunnel does not route HTTP: the route has no effect until the Service or its namespace is labelled istio.io/use-waypoint`,
        ),
      );
    }
  });
  return out;
}
