/**
 * A waypoint: the L7 proxy of a namespace or service (a Gateway of class istio-waypoint). It
 * terminates HBONE from ztunnels on :15008, serves HTTP/1.1 and h2c inside each tunnel, routes
 * by the service's HTTPRoutes, enforces the L7 policies attached to it, and forwards through new
 * HBONE tunnels, as itself, to the chosen endpoints' ztunnels. Istio HTTP metrics on :15020,
 * readiness on :15021, admin on a loopback address (127.0.0.1 by default) :15000.
 */
import { parseSpiffeId } from '@ambit/shared/spiffe';
import pino, { type Logger } from 'pino';
import { startAdminServer } from '../admin/admin-server';
import type { HttpListener } from '../admin/http-listener';
import { startReadinessServer } from '../admin/readiness-server';
import { startStatsServer } from '../admin/stats-server';
import { FlowRing } from '../flows/flow-ring';
import { createHboneServer, type HboneServer, listenHbone, respondAndEnd } from '../hbone/server';
import { TlsContexts } from '../hbone/tls';
import type { CertificateManager } from '../identity/manager';
import { MetricsRegistry } from '../metrics/registry';
import type { ProxyState } from '../state/proxy-state';
import { HbonePool } from '../ztunnel/pool';
import type { WaypointConfig } from './config';
import { DownstreamServer } from './downstream';
import { DEFAULT_OUTLIER_DETECTION, EndpointDirectory, type OutlierDetection } from './endpoints';
import { Exchange, type ProxyContext } from './exchange';
import { Http1Upstream } from './http1-upstream';
import { Http2Upstream } from './http2-upstream';
import { RequestTelemetry } from './request-telemetry';
import { ServiceRoutes } from './service-routes';
import { tunnelContextOf } from './tunnel-context';
import { EndpointConnector } from './tunnel-transport';

export interface WaypointPorts {
  hbone: number;
  metrics: number;
  readiness: number;
  /** On 127.0.0.1 only. */
  admin: number;
}

export const DEFAULT_WAYPOINT_PORTS: WaypointPorts = Object.freeze({ hbone: 15008, metrics: 15020, readiness: 15021, admin: 15000 });

export interface WaypointOptions {
  /** `namespace/name` of the waypoint's Gateway. */
  name: string;
  /** Where HBONE, metrics and readiness listen. */
  address: string;
  /** The waypoint's SPIFFE identity; default `spiffe://<trustDomain>/ns/<namespace>/sa/<name>`, as Istio names it. */
  identity?: string;
  trustDomain?: string;
  /** Issues the waypoint's certificate; owned by the caller, who stops it. */
  certificates: CertificateManager;
  /** Root certificates (PEM) that peers' chains must lead to. */
  trustBundle: readonly string[];
  /** The workload API view: services by VIP, endpoints, nodes. */
  state: ProxyState;
  /** Routes, endpoint assignments and attached policies. */
  routes: WaypointConfig;
  logger?: Logger;
  /** Defaults to Istio's; 0 picks a free port (tests). */
  ports?: Partial<WaypointPorts>;
  /** Where admin listens: a loopback address, default 127.0.0.1 (on one machine, the waypoint pod's own). */
  adminHost?: string;
  /** More of the admin config dump (the waypoint adds its routes, endpoints and policies itself). */
  configDump?: () => Record<string, unknown>;
  /** More reasons not to be ready yet (e.g. no configuration from the control plane), added to the waypoint's own. */
  readinessCheck?: () => string[];
  /** Request decisions kept for `/debug/flows`; default 4,096. */
  flowCapacity?: number;
  /** Policies here may target the istio-waypoint GatewayClass; default `istio-system`. */
  rootNamespace?: string;
  /** Service hostnames are `<name>.<namespace>.svc.<domainSuffix>`; default `cluster.local`. */
  domainSuffix?: string;
  outlierDetection?: Partial<OutlierDetection>;
  /** Requests in flight per endpoint (HTTP/1.1: connections); beyond it the endpoint is skipped, all full → 503 UO. Default 1024. */
  maxRequestsPerEndpoint?: number;
  /** Opening a tunnel to an endpoint; default 10 s. */
  connectTimeoutMs?: number;
  /** Idle client and upstream HTTP/1.1 connections are closed after this; defaults 1 h (clients) and 4 s (upstream). */
  clientIdleTimeoutMs?: number;
  upstreamIdleTimeoutMs?: number;
  /** Request body kept for retries and mirrors; default 1 MiB. */
  retryBufferBytes?: number;
  /** For percentages and where each route's weight sequence starts; Math.random by default. */
  random?: () => number;
}

export interface Waypoint {
  readonly name: string;
  readonly address: string;
  readonly identity: string;
  /** The ports actually bound. */
  readonly ports: WaypointPorts;
  readonly metrics: MetricsRegistry;
  readonly endpoints: EndpointDirectory;
  readonly pool: HbonePool;
  /** What still keeps the waypoint from being ready; empty when ready. */
  readiness(): string[];
  whenReady(timeoutMs?: number): Promise<void>;
  /** Resolves once a `/quitquitquit` (or stop) has shut the waypoint down. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function startWaypoint(options: WaypointOptions): Promise<Waypoint> {
  const { name, address, state, certificates, routes } = options;
  const [namespace = '', gatewayName = ''] = name.split('/');
  if (!namespace || !gatewayName) throw new Error(`waypoint name "${name}" must be namespace/name`);
  const identity = options.identity ?? `spiffe://${options.trustDomain ?? 'cluster.local'}/ns/${namespace}/sa/${gatewayName}`;
  if (!parseSpiffeId(identity)) throw new Error(`waypoint identity "${identity}" is not a SPIFFE id`);
  const wantedPorts: WaypointPorts = { ...DEFAULT_WAYPOINT_PORTS, ...options.ports };
  const logger = options.logger ?? pino({ name: 'waypoint' });
  const log = logger.child({ waypoint: name });
  const accessLog = logger.child({ waypoint: name, scope: 'access' });
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxRequests = options.maxRequestsPerEndpoint ?? 1024;

  certificates.track([identity]);
  const contexts = new TlsContexts(options.trustBundle);
  const pool = new HbonePool({ certificates, contexts, connectTimeoutMs });
  const connector = new EndpointConnector({ pool, identity, connectTimeoutMs });
  const registry = new MetricsRegistry();
  const serviceRoutes = new ServiceRoutes(routes, { namespace, name: gatewayName }, options.rootNamespace ?? 'istio-system');
  const endpoints = new EndpointDirectory(state, routes, {
    outlier: { ...DEFAULT_OUTLIER_DETECTION, ...options.outlierDetection },
    maxRequestsPerEndpoint: maxRequests,
  });
  const proxy: ProxyContext = {
    state,
    routes: serviceRoutes,
    endpoints,
    http1: new Http1Upstream(connector, { idleTimeoutMs: options.upstreamIdleTimeoutMs ?? 4_000 }),
    http2: new Http2Upstream(connector),
    telemetry: new RequestTelemetry(registry, accessLog),
    domainSuffix: options.domainSuffix ?? 'cluster.local',
    retryBufferBytes: options.retryBufferBytes ?? 1024 * 1024,
    random: options.random ?? Math.random,
    weightSequences: new WeakMap(),
    flows: new FlowRing(`waypoint/${name}`, options.flowCapacity),
  };
  const downstream = new DownstreamServer((request, response, context) => new Exchange(proxy, request, response, context).start(), {
    idleTimeoutMs: options.clientIdleTimeoutMs ?? 3_600_000,
  });
  const refused = registry.counter('ambit_waypoint_tunnels_refused_total', 'Inbound tunnels refused before any request, by reason');
  registry.gauge('ambit_waypoint_hbone_sessions', 'Pooled upstream HBONE sessions', () => pool.stats().sessions);

  const reservedPorts = new Set<number>();
  const hbone: HboneServer = createHboneServer({
    certificates,
    contexts,
    reservedPorts,
    onTunnel(stream, tunnel) {
      const context = tunnelContextOf(state, tunnel);
      if (!context) {
        refused.get('reason="unknown_service"').value++;
        log.warn({ 'src.identity': tunnel.peer.uri, 'dst.hbone_addr': tunnel.headers[':authority'] }, 'refused tunnel: not a service VIP');
        respondAndEnd(stream, 400);
        return;
      }
      downstream.serve(stream, context);
    },
    onRefused(reason, remoteAddress, detail) {
      refused.get(`reason="${reason}"`).value++;
      log.warn({ 'src.addr': remoteAddress, reason, error: detail }, 'refused HBONE connection');
    },
    onBadRequest(detail, remoteAddress) {
      refused.get('reason="bad_request"').value++;
      log.warn({ 'src.addr': remoteAddress, error: detail }, 'refused HBONE request (400)');
    },
  });

  const invalidate = (): void => {
    serviceRoutes.invalidate();
    endpoints.invalidate();
  };
  const unsubscribe = [state.onChange(invalidate), routes.onChange(invalidate)];
  const servers: HttpListener[] = [];
  let stopping: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });

  try {
    const hbonePort = await listenHbone(hbone, address, wantedPorts.hbone);
    reservedPorts.add(hbonePort);
    const stats = await startStatsServer(address, wantedPorts.metrics, registry);
    servers.push(stats);
    const readinessServer = await startReadinessServer(address, wantedPorts.readiness, readiness);
    servers.push(readinessServer);
    const admin = await startAdminServer({
      host: options.adminHost,
      port: wantedPorts.admin,
      node: name,
      state,
      certificates,
      configDump: () => ({
        waypoint: { name, address, identity, ...routes.dump(), ejected: endpoints.ejected(Date.now()).map((e) => e.authority) },
        ...options.configDump?.(),
      }),
      loggers: [logger, log, accessLog],
      quit: () => void stop(),
      flows: proxy.flows,
    });
    servers.push(admin);
    for (const s of servers) reservedPorts.add(s.port);
    const ports: WaypointPorts = { hbone: hbonePort, metrics: stats.port, readiness: readinessServer.port, admin: admin.port };
    log.info({ address, identity, ports }, 'waypoint started');
    return { name, address, identity, ports, metrics: registry, endpoints, pool, readiness, whenReady, stopped, stop };
  } catch (error) {
    await stop();
    throw error;
  }

  function readiness(): string[] {
    const problems: string[] = [...(options.readinessCheck?.() ?? [])];
    if (stopping) problems.push('stopping');
    if (!hbone.server.listening) problems.push('the HBONE server is not listening');
    if (!certificates.get(identity)) problems.push(`no valid certificate for ${identity}`);
    return problems;
  }

  async function whenReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problems = readiness();
      if (problems.length === 0) return;
      if (Date.now() > deadline) throw new Error(`waypoint ${name} not ready after ${timeoutMs} ms: ${problems.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      for (const off of unsubscribe) off();
      downstream.close();
      proxy.http1.destroy();
      proxy.http2.close();
      pool.close();
      await Promise.all([hbone.close(), ...servers.map((s) => s.close())]);
      log.info('waypoint stopped');
      markStopped();
    })();
    return stopping;
  }
}
