import type { AuthzRequest } from './types';

/**
 * One authorization decision a proxy made, as its admin port serves it (`GET /debug/flows`) and
 * the control plane collects it: what the enforcement point saw and what it decided. The same
 * fields rebuild the evaluator's request, so observed traffic can be replayed against a draft.
 */
export interface FlowRecord {
  /** Milliseconds since the epoch. */
  time: number;
  /** `ztunnel`: an inbound connection (L4); `waypoint`: an HTTP request (L7). */
  reporter: 'ztunnel' | 'waypoint';
  /** `ztunnel/<node>` or `waypoint/<ns>/<name>`; filled in by the proxy serving the records. */
  proxy: string;
  /** Peer identity without `spiffe://`; absent for plaintext. */
  sourcePrincipal?: string;
  sourceIp: string;
  /** `ns/name` of the source workload when the proxy knew it. */
  sourceWorkload?: string;
  destinationIp: string;
  destinationPort: number;
  /** `ns/name` of the destination workload (ztunnel). */
  destinationWorkload?: string;
  /** Hostname of the destination service (waypoint; ztunnel when the client dialed one). */
  destinationService?: string;
  method?: string;
  path?: string;
  host?: string;
  allowed: boolean;
  /** `ns/name` of the deciding policy. */
  policy?: string;
  ruleIndex?: number;
}

/** Namespace of `td/ns/<ns>/sa/<sa>`, or undefined. */
export function principalNamespace(principal: string | undefined): string | undefined {
  if (principal === undefined) return undefined;
  const at = principal.indexOf('/ns/');
  if (at === -1) return undefined;
  const end = principal.indexOf('/', at + 4);
  return principal.slice(at + 4, end === -1 ? principal.length : end);
}

/** The evaluator's input for a recorded flow, as the proxy built it (headers were not recorded). */
export function authzRequestOfFlow(flow: FlowRecord): AuthzRequest {
  const request: AuthzRequest = {
    source: { ip: flow.sourceIp },
    destination: { ip: flow.destinationIp, port: flow.destinationPort },
  };
  if (flow.sourcePrincipal !== undefined) {
    request.source.principal = flow.sourcePrincipal;
    const namespace = principalNamespace(flow.sourcePrincipal);
    if (namespace !== undefined) request.source.namespace = namespace;
  }
  if (flow.reporter === 'waypoint') {
    request.http = { method: flow.method ?? 'GET', path: flow.path ?? '/', host: flow.host ?? '', headers: {} };
  }
  return request;
}
