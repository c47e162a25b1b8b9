import type { GrpcMethodMatch } from '../resources/grpc-route';
import type { CompiledPathMatch } from './types';

// Any one path segment: a service or a method the match leaves open.
const ANY_SEGMENT = '[^/]+';

/**
 * A GRPCRoute method match as the HTTP/2 `:path` it stands for, `/<service>/<method>`, so gRPC
 * requests go through the same compiled routes HTTPRoutes do. Exact: both → that exact path;
 * service only → the PathPrefix `/<service>` (its methods); method only → `/[^/]+/<method>`.
 * RegularExpression: each part (or `[^/]+` when absent) as a group of one path segment's regex.
 * No method match: every request (PathPrefix `/`). gRPC is always POST, so no method condition
 * is added (the spec asks for none; Istio adds none either).
 */
export function grpcMethodPath(method: GrpcMethodMatch | undefined): CompiledPathMatch {
  if (!method || (!method.service && !method.method)) return { type: 'PathPrefix', value: '/' };
  const { service, method: name } = method;
  if ((method.type ?? 'Exact') === 'RegularExpression') return { type: 'RegularExpression', value: methodRegex(service, name) };
  if (service && name) return { type: 'Exact', value: `/${service}/${name}` };
  if (service) return { type: 'PathPrefix', value: `/${service}` };
  return { type: 'RegularExpression', value: `/${ANY_SEGMENT}/${name}` };
}

const LEADING_FLAGS = /^\(\?[a-zA-Z]+\)/;

/**
 * `/(?:service)/(?:method)`, each part matching a whole segment as written: anchors a user wrote
 * (`^Get.*$`) are dropped, since a part already matches whole (kept, they could never match in
 * the middle of the path); a leading flag group such as `(?i)` moves to the front of the pattern when
 * every given part starts with the same one (inside a group it would be refused). A part left out
 * is any segment.
 */
function methodRegex(service: string | undefined, method: string | undefined): string {
  const given = [service, method].filter((p): p is string => p !== undefined && p !== '');
  const flags = given.map((p) => LEADING_FLAGS.exec(p)?.[0]);
  const shared = flags[0] !== undefined && flags.every((f) => f === flags[0]) ? flags[0] : '';
  const part = (p: string | undefined) => {
    if (!p) return ANY_SEGMENT;
    const body = unanchored(shared ? p.slice(shared.length) : p);
    return `(?:${body})`;
  };
  return `${shared}/${part(service)}/${part(method)}`;
}

/** Without a leading `^` and a trailing unescaped `$`. */
function unanchored(pattern: string): string {
  let out = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  if (out.endsWith('$')) {
    let backslashes = 0;
    for (let i = out.length - 2; i >= 0 && out[i] === '\\'; i--) backslashes++;
    if (backslashes % 2 === 0) out = out.slice(0, -1);
  }
  return out;
}
