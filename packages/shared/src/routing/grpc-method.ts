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
  if ((method.type ?? 'Exact') === 'RegularExpression') {
    const part = (p: string | undefined) => (p ? `(?:${p})` : ANY_SEGMENT);
    return { type: 'RegularExpression', value: `/${part(service)}/${part(name)}` };
  }
  if (service && name) return { type: 'Exact', value: `/${service}/${name}` };
  if (service) return { type: 'PathPrefix', value: `/${service}` };
  return { type: 'RegularExpression', value: `/${ANY_SEGMENT}/${name}` };
}
