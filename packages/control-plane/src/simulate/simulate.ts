/**
 * The simulator: one request walked through the mesh the way the proxies walk it, from a
 * registry snapshot (what the translators read). The source ztunnel routes (to the service's
 * waypoint, or straight to an endpoint); the waypoint enforces targetRefs policies with the
 * request's L7 attributes and picks a route; each destination ztunnel enforces the policies of its
 * workload with L4 attributes only, seeing the waypoint's identity when one is in the path.
 * Decisions come from the shared evaluator and route matcher the proxies run.
 */
import { type AuthzDecision, type AuthzRequest, type CompiledPolicy, evaluateAuthorization } from '@ambit/shared/authz';
import { isRejectedRequestPath, normalizeRequestPath } from '@ambit/shared/routing';
import { type MeshSnapshot, type ServiceInfo, STATIC_STRICT_POLICY_NAME, type WaypointBinding, type WorkloadInfo } from '../registry/index';
import { waypointPoliciesOf, ztunnelPoliciesOf } from './enforcement';
import {
  findService,
  findWorkload,
  healthyEndpoints,
  normalizePrincipal,
  serviceAddressFor,
  serviceRef,
  targetPortFor,
  workloadRef,
} from './path';
import { chooseRoute, unappliedConsumerRoutes } from './route-choice';
import type { DecidingRule, SeenRequest, SimulationHop, SimulationInput, SimulationOutcome, SimulationResult } from './types';

interface Client {
  workload?: WorkloadInfo;
  principal?: string;
  ip: string;
  namespace?: string;
}

interface Http {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
}

const UNKNOWN_ADDRESS = '0.0.0.0';

export function simulate(snapshot: MeshSnapshot, input: SimulationInput): SimulationResult {
  const notes: string[] = [];
  const client = resolveClient(snapshot, input, notes);
  const service = 'service' in input.destination ? findService(snapshot, input.destination.service) : undefined;
  const target = 'workload' in input.destination ? findWorkload(snapshot, input.destination.workload) : undefined;
  const http = httpOf(input, service, input.port);

  let address = service ? serviceAddressFor(service, client.workload?.node) : target?.addresses[0];
  if (address === undefined) {
    // Decisions do not depend on it, except destination ipBlocks: go on, and say so.
    address = UNKNOWN_ADDRESS;
    notes.push(
      `${service ? `service ${serviceRef(service)}` : 'the workload'} has no address yet: destination.ip is ${UNKNOWN_ADDRESS} for ipBlocks rules`,
    );
  }
  if (service && !service.ports.some((p) => p.port === input.port)) {
    notes.push(`service ${serviceRef(service)} declares no port ${input.port}; ztunnel has no listener for it`);
  }
  const result: SimulationResult = {
    outcome: 'allow',
    summary: '',
    source: sourceSummary(client),
    destination: {
      ...(service ? { service: serviceRef(service) } : {}),
      ...(target ? { workload: workloadRef(target) } : {}),
      address,
      port: input.port,
    },
    hops: [],
    notes,
  };

  const plaintext = client.principal === undefined;
  const sourceProxy = client.workload?.node ? `ztunnel/${client.workload.node}` : 'none';
  const waypoint = plaintext ? undefined : (service?.waypoint ?? target?.waypoint);
  if (plaintext && (service?.waypoint ?? target?.waypoint)) {
    notes.push(
      'a client without a mesh identity reaches the destination ztunnel directly (plaintext, port 15006); the waypoint is not in its path',
    );
  }

  if (waypoint) {
    result.hops.push(sourceHop(sourceProxy, client, address, input.port, `to waypoint ${waypoint.key} over HBONE`));
    if (!service)
      return finish(result, 'unreachable', `the waypoint ${waypoint.key} serves service addresses only; it refuses a pod address (400)`);
    return throughWaypoint(snapshot, result, client, service, waypoint, address, input.port, http);
  }

  // No waypoint: the source ztunnel picks the endpoint (a service) or dials the workload.
  const endpoints = service ? healthyEndpoints(snapshot, service) : target ? [target] : [];
  if (endpoints.length === 0) {
    if (!plaintext) result.hops.push(sourceHop(sourceProxy, client, address, input.port, 'no healthy endpoint'));
    return finish(result, 'unreachable', `${service ? `service ${serviceRef(service)}` : 'the workload'} has no healthy endpoint`);
  }
  if (!plaintext) {
    const to = service
      ? `to one of ${endpoints.length} endpoint(s) of ${serviceRef(service)}, round robin`
      : `to ${workloadRef(endpoints[0] as WorkloadInfo)}`;
    result.hops.push(sourceHop(sourceProxy, client, address, input.port, `${to}, over HBONE with ${client.principal}`));
  }
  if (http && !service?.waypoint)
    notes.push('no waypoint serves this destination: only L4 attributes are enforced; HTTP attributes are not seen');
  for (const endpoint of endpoints) {
    const port = service ? targetPortFor(service, input.port, endpoint) : input.port;
    const seen: AuthzRequest = {
      source: { ip: client.ip, ...(client.principal !== undefined ? { principal: client.principal } : {}) },
      destination: { ip: endpoint.addresses[0] as string, port },
    };
    result.hops.push(destinationHop(snapshot, endpoint, seen));
  }
  return finishFromHops(result, false);
}

function throughWaypoint(
  snapshot: MeshSnapshot,
  result: SimulationResult,
  client: Client,
  service: ServiceInfo,
  binding: WaypointBinding,
  vip: string,
  port: number,
  http: Http | undefined,
): SimulationResult {
  const waypoint = snapshot.waypoints.get(binding.key);
  const pod = waypoint?.pods.map((uid) => snapshot.workloads.get(uid)).find((w) => w?.status === 'HEALTHY' && w.addresses.length > 0);
  if (!waypoint || !pod) return finish(result, 'unreachable', `waypoint ${binding.key} has no healthy pod`);
  const request: Http = http ?? { method: 'GET', path: '/', host: `${service.name}.${service.namespace}:${port}`, headers: {} };
  if (!http) result.notes.push('the waypoint parses the connection as HTTP; simulated as GET /');

  if (http && isRejectedRequestPath(http.path)) {
    result.hops.push({
      point: 'waypoint',
      proxy: `waypoint/${waypoint.namespace}/${waypoint.name}`,
      workload: workloadRef(pod),
      decision: 'deny',
      reason: 'the path holds an encoded NUL (%00): refused before routing or authorization, as Istio does',
      policies: [],
      seen: {
        ...(client.principal !== undefined ? { principal: client.principal } : {}),
        sourceIp: client.ip,
        destinationIp: vip,
        destinationPort: port,
        method: request.method,
        path: request.path,
      },
    });
    return finish(result, 'deny', '400 invalid path (at the waypoint)');
  }
  const policies = waypointPoliciesOf(snapshot, waypoint, service);
  const seen: AuthzRequest = {
    source: { ip: client.ip, ...(client.principal !== undefined ? { principal: client.principal } : {}) },
    destination: { ip: vip, port },
    http: { method: request.method, path: request.path, host: request.host, headers: request.headers },
  };
  const hop = decisionHop('waypoint', `waypoint/${waypoint.namespace}/${waypoint.name}`, policies, seen);
  hop.workload = workloadRef(pod);
  result.hops.push(hop);
  if (hop.decision === 'deny') return finish(result, 'deny', '403 RBAC: access denied (at the waypoint)');

  const route = chooseRoute(snapshot, service, port, request);
  result.route = route;
  const consumerRoutes = client.namespace === undefined ? [] : unappliedConsumerRoutes(snapshot, service, port, client.namespace);
  if (consumerRoutes.length > 0) {
    result.notes.push(
      `${consumerRoutes.join(', ')}: consumer route(s) for clients in namespace ${client.namespace}; Ambit's waypoints do not apply consumer routes yet, so this request follows the routes of ${serviceRef(service)}`,
    );
  }
  if (route.action !== 'Forward') return finish(result, 'unreachable', `${route.status ?? ''} ${route.reason}`.trim());

  // The waypoint opens a new tunnel to the chosen endpoint: that ztunnel sees the waypoint.
  const waypointIdentity = normalizePrincipal(pod.identity, snapshot.options.trustDomain);
  for (const backend of route.backends) {
    if (backend.share === 0 || backend.invalid !== undefined) continue;
    const backendService = findService(snapshot, backend.service);
    for (const endpoint of healthyEndpoints(snapshot, backendService)) {
      const seenByZtunnel: AuthzRequest = {
        source: { principal: waypointIdentity, ip: pod.addresses[0] as string },
        destination: { ip: endpoint.addresses[0] as string, port: targetPortFor(backendService, backend.port ?? port, endpoint) },
      };
      result.hops.push(destinationHop(snapshot, endpoint, seenByZtunnel));
    }
  }
  if (!result.hops.some((h) => h.point === 'destination-ztunnel')) {
    return finish(result, 'unreachable', '503 no healthy endpoint for the chosen backend(s)');
  }
  return finishFromHops(result, true);
}

function destinationHop(snapshot: MeshSnapshot, endpoint: WorkloadInfo, seen: AuthzRequest): SimulationHop {
  const hop = decisionHop('destination-ztunnel', `ztunnel/${endpoint.node ?? '?'}`, ztunnelPoliciesOf(snapshot, endpoint), seen);
  hop.workload = workloadRef(endpoint);
  if (!endpoint.ambient) {
    hop.decision = 'allow';
    hop.reason = `${workloadRef(endpoint)} is not in the ambient mesh: no ztunnel enforces policy for it`;
    hop.policies = [];
    delete hop.decidedBy;
  }
  return hop;
}

function decisionHop(
  point: SimulationHop['point'],
  proxy: string,
  policies: readonly CompiledPolicy[],
  request: AuthzRequest,
): SimulationHop {
  const decision = evaluateAuthorization(policies, request);
  const hop: SimulationHop = {
    point,
    proxy,
    decision: decision.allowed ? 'allow' : 'deny',
    reason: reasonOf(decision),
    policies: policies.map((p) => `${p.namespace}/${p.name}`),
    seen: seenOf(request),
  };
  const decidedBy = decidingRule(decision);
  if (decidedBy) hop.decidedBy = decidedBy;
  if (decision.shadow) {
    const shadow = decision.shadow;
    hop.dryRun = { decision: shadow.allowed ? 'allow' : 'deny', reason: shadow.reason };
    const rule = decidingRule(shadow);
    if (rule) hop.dryRun.decidedBy = rule;
  }
  if (decision.audit.length > 0) hop.audited = decision.audit.map((m) => ({ policy: m.policy, action: m.action, ruleIndex: m.ruleIndex }));
  return hop;
}

function decidingRule(d: Pick<AuthzDecision, 'policy' | 'action' | 'ruleIndex'>): DecidingRule | undefined {
  if (d.policy === undefined || d.action === undefined) return undefined;
  return { policy: d.policy, action: d.action, ...(d.ruleIndex !== undefined ? { ruleIndex: d.ruleIndex } : {}) };
}

function reasonOf(decision: AuthzDecision): string {
  // The static STRICT policy is Istio's bookkeeping; say what it stands for.
  if (decision.policy?.endsWith(`/${STATIC_STRICT_POLICY_NAME}`)) {
    return 'denied: mTLS is STRICT (PeerAuthentication) and the connection has no peer identity';
  }
  return decision.reason;
}

function seenOf(request: AuthzRequest): SeenRequest {
  const seen: SeenRequest = {
    sourceIp: request.source.ip,
    destinationIp: request.destination.ip,
    destinationPort: request.destination.port,
  };
  if (request.source.principal !== undefined) seen.principal = request.source.principal;
  if (request.http) {
    seen.method = request.http.method;
    seen.path = request.http.path;
    seen.host = request.http.host;
  }
  return seen;
}

function sourceHop(proxy: string, client: Client, address: string, port: number, reason: string): SimulationHop {
  const seen: SeenRequest = { sourceIp: client.ip, destinationIp: address, destinationPort: port };
  if (client.principal !== undefined) seen.principal = client.principal;
  return {
    point: 'source-ztunnel',
    proxy,
    ...(client.workload ? { workload: workloadRef(client.workload) } : {}),
    decision: 'pass',
    reason: `outbound is not authorized in ambient; ${reason}`,
    policies: [],
    seen,
  };
}

function resolveClient(snapshot: MeshSnapshot, input: SimulationInput, notes: string[]): Client {
  const source = input.source;
  if ('workload' in source) {
    const workload = findWorkload(snapshot, source.workload);
    const ip = workload.addresses[0] ?? UNKNOWN_ADDRESS;
    if (!workload.ambient) {
      notes.push(`${workloadRef(workload)} is not in the ambient mesh: it connects in plaintext, without an identity`);
      return { workload, ip, namespace: workload.namespace };
    }
    return { workload, ip, namespace: workload.namespace, principal: normalizePrincipal(workload.identity, snapshot.options.trustDomain) };
  }
  const ip = source.ip ?? UNKNOWN_ADDRESS;
  if (source.ip === undefined) notes.push('no source address given: source.ip is 0.0.0.0 for ipBlocks rules');
  if (source.principal === undefined) return { ip };
  const principal = normalizePrincipal(source.principal, snapshot.options.trustDomain);
  const namespace = /\/ns\/([^/]+)/.exec(principal)?.[1];
  return { principal, ip, ...(namespace !== undefined ? { namespace } : {}) };
}

function sourceSummary(client: Client): SimulationResult['source'] {
  return {
    ...(client.workload ? { workload: workloadRef(client.workload) } : {}),
    ...(client.principal !== undefined ? { principal: client.principal } : {}),
    ip: client.ip,
    ...(client.namespace !== undefined ? { namespace: client.namespace } : {}),
  };
}

function httpOf(input: SimulationInput, service: ServiceInfo | undefined, port: number): Http | undefined {
  if (input.method === undefined && input.path === undefined && input.host === undefined && input.headers === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const host = input.host ?? headers.host ?? (service ? `${service.name}.${service.namespace}:${port}` : '');
  return { method: (input.method ?? 'GET').toUpperCase(), path: normalizeRequestPath(input.path ?? '/'), host, headers };
}

function finish(result: SimulationResult, outcome: SimulationOutcome, summary: string): SimulationResult {
  result.outcome = outcome;
  result.summary = summary;
  return result;
}

function finishFromHops(result: SimulationResult, viaWaypoint: boolean): SimulationResult {
  const endpoints = result.hops.filter((h) => h.point === 'destination-ztunnel');
  const denied = endpoints.filter((h) => h.decision === 'deny').length;
  if (denied === 0) return finish(result, 'allow', 'allowed: the request reaches the workload');
  const answer = viaWaypoint
    ? '503 upstream connect error (the destination ztunnel refused the waypoint)'
    : 'connection reset (the destination ztunnel refused it)';
  if (denied === endpoints.length) return finish(result, 'deny', answer);
  return finish(result, 'mixed', `${denied} of ${endpoints.length} endpoints refuse it: ${answer}`);
}
