import { evaluateAuthorization } from '@ambit/shared/authz';
import pino, { type Logger } from 'pino';
import { startAdminServer } from '../admin/admin-server';
import type { HttpListener } from '../admin/http-listener';
import { startReadinessServer } from '../admin/readiness-server';
import { startStatsServer } from '../admin/stats-server';
import { FlowRing } from '../flows/flow-ring';
import { createHboneServer, type HboneServer, listenHbone } from '../hbone/server';
import { TlsContexts } from '../hbone/tls';
import type { CertificateManager } from '../identity/manager';
import { MetricsRegistry } from '../metrics/registry';
import { ConnectionTracker, TcpMetrics } from '../metrics/tcp';
import type { ProxyState } from '../state/proxy-state';
import { type Capture, type CaptureListener, loopbackCapture } from './capture';
import { type Authorizer, InboundProxy } from './inbound';
import { OutboundProxy } from './outbound';
import { HbonePool } from './pool';

/**
 * One node's ztunnel: capture listeners for the service addresses the node owns, the outbound
 * proxy behind them, the HBONE server and the plaintext inbound port on the node's address, the
 * connection pool, certificates for the node's workloads, and the admin, metrics and readiness
 * servers. It follows the state: a change re-aligns listeners and certificates.
 */

export interface ZtunnelPorts {
  hbone: number;
  inboundPlaintext: number;
  /** On a loopback address only (`adminHost`). */
  admin: number;
  metrics: number;
  readiness: number;
}

export const DEFAULT_ZTUNNEL_PORTS: ZtunnelPorts = Object.freeze({
  hbone: 15008,
  inboundPlaintext: 15006,
  admin: 15000,
  metrics: 15020,
  readiness: 15021,
});

export interface ZtunnelOptions {
  node: string;
  /** Where HBONE, plaintext inbound, metrics and readiness listen; workloads see inbound connections from it. */
  nodeAddress: string;
  /** Defaults to Istio's; 0 picks a free port (tests). */
  ports?: Partial<ZtunnelPorts>;
  /** Where admin listens: a loopback address, default 127.0.0.1; on one machine each node's ztunnel takes its node address. */
  adminHost?: string;
  /** Inbound connection decisions kept for `/debug/flows`; default 4,096. */
  flowCapacity?: number;
  /** More reasons not to be ready yet (e.g. no configuration from the control plane), added to the proxy's own. */
  readinessCheck?: () => string[];
  state: ProxyState;
  /** Owned by the caller, who stops it. */
  certificates: CertificateManager;
  /** Root certificates (PEM) that peers' chains must lead to. */
  trustBundle: readonly string[];
  logger?: Logger;
  capture?: Capture;
  /** L4 authorization; defaults to the shared evaluator over the workload's policies in state. */
  authorize?: Authorizer;
  maxStreamsPerSession?: number;
  sessionIdleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface Ztunnel {
  readonly node: string;
  readonly nodeAddress: string;
  /** The ports actually bound. */
  readonly ports: ZtunnelPorts;
  readonly metrics: MetricsRegistry;
  readonly tcp: TcpMetrics;
  readonly pool: HbonePool;
  /** What still keeps the proxy from being ready; empty when ready. */
  readiness(): string[];
  /** Resolves once ready (listeners bound, certificates for every local workload). */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Resolves once the listeners follow the latest state change. */
  settled(): Promise<void>;
  /** Resolves once a `/quitquitquit` (or stop) has shut the proxy down. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function startZtunnel(options: ZtunnelOptions): Promise<Ztunnel> {
  const { node, nodeAddress, state, certificates } = options;
  const wantedPorts: ZtunnelPorts = { ...DEFAULT_ZTUNNEL_PORTS, ...options.ports };
  const logger = options.logger ?? pino({ name: 'ztunnel' });
  const log = logger.child({ node });
  const accessLog = logger.child({ node, scope: 'access' });
  const capture = options.capture ?? loopbackCapture;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;

  const registry = new MetricsRegistry();
  const tcp = new TcpMetrics(registry);
  const tracker = new ConnectionTracker(tcp, accessLog);
  registry.onScrape(() => tracker.flushAll());
  const refused = registry.counter('ambit_ztunnel_connections_refused_total', 'Connections refused before any policy decision, by reason');

  const contexts = new TlsContexts(options.trustBundle);
  const pool = new HbonePool({
    certificates,
    contexts,
    maxStreamsPerSession: options.maxStreamsPerSession,
    idleTimeoutMs: options.sessionIdleTimeoutMs,
    connectTimeoutMs,
  });
  registry.gauge('ambit_ztunnel_hbone_sessions', 'Pooled outbound HBONE sessions', () => pool.stats().sessions);
  registry.gauge('ambit_ztunnel_active_connections', 'Proxied connections currently open', () => tracker.size);

  const reservedPorts = new Set<number>();
  const authorize: Authorizer = options.authorize ?? ((workload, request) => evaluateAuthorization(state.policiesFor(workload), request));
  const flows = new FlowRing(`ztunnel/${node}`, options.flowCapacity);
  const inbound = new InboundProxy({
    node,
    nodeAddress,
    state,
    tracker,
    logger: log,
    refused,
    authorize,
    connectTimeoutMs,
    reservedPorts,
    flows,
  });
  const outbound = new OutboundProxy({ node, state, pool, tracker, logger: log, refused, connectTimeoutMs });

  const hbone: HboneServer = createHboneServer({
    certificates,
    contexts,
    reservedPorts,
    onTunnel: inbound.onTunnel,
    onRefused(reason, remoteAddress, detail) {
      refused.get(`reason="${reason}"`).value++;
      log.warn({ 'src.addr': remoteAddress, reason, error: detail }, 'refused HBONE connection');
    },
    onBadRequest(detail, remoteAddress) {
      refused.get('reason="bad_request"').value++;
      log.warn({ 'src.addr': remoteAddress, error: detail }, 'refused HBONE request (400)');
    },
  });

  const listeners = new Map<string, CaptureListener>();
  const listenErrors = new Map<string, string>();
  const servers: (HttpListener | CaptureListener)[] = [];
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  async function reconcile(): Promise<void> {
    if (stopping) return;
    certificates.track(new Set(state.workloadsOnNode(node).map((w) => w.identity)));
    const desired = new Map<string, { address: string; port: number }>();
    for (const { address, service } of state.serviceAddressesOfNode(node)) {
      for (const p of service.ports) desired.set(`${address}:${p.servicePort}`, { address, port: p.servicePort });
    }
    const closing: Promise<void>[] = [];
    for (const [key, listener] of listeners) {
      if (desired.has(key)) continue;
      listeners.delete(key);
      closing.push(listener.close());
    }
    for (const key of listenErrors.keys()) if (!desired.has(key)) listenErrors.delete(key);
    await Promise.all(closing);
    await Promise.all(
      [...desired].map(async ([key, { address, port }]) => {
        if (listeners.has(key)) return;
        try {
          listeners.set(key, await capture.listenOutbound(address, port, outbound.handle));
          listenErrors.delete(key);
        } catch (error) {
          listenErrors.set(key, (error as Error).message);
          log.error({ address: key, error: (error as Error).message }, 'cannot listen on a service address');
        }
      }),
    );
  }

  let reconciling: Promise<void> = Promise.resolve();
  let reconcileQueued = false;
  function scheduleReconcile(): void {
    if (reconcileQueued) return;
    reconcileQueued = true;
    reconciling = reconciling.then(() => {
      reconcileQueued = false;
      return reconcile();
    });
  }

  const unsubscribe = state.onChange(scheduleReconcile);
  const stopReauthorizing = state.onChange(inbound.onStateChange);
  try {
    const hbonePort = await listenHbone(hbone, nodeAddress, wantedPorts.hbone);
    reservedPorts.add(hbonePort);
    const plaintext = await capture.listenInboundPlaintext(nodeAddress, wantedPorts.inboundPlaintext, inbound.onPlaintext);
    servers.push(plaintext);
    reservedPorts.add(plaintext.port);
    const stats = await startStatsServer(nodeAddress, wantedPorts.metrics, registry);
    servers.push(stats);
    const readinessServer = await startReadinessServer(nodeAddress, wantedPorts.readiness, readiness);
    servers.push(readinessServer);
    const admin = await startAdminServer({
      host: options.adminHost,
      port: wantedPorts.admin,
      node,
      state,
      certificates,
      loggers: [logger, log, accessLog],
      quit: () => void stop(),
      flows,
    });
    servers.push(admin);
    for (const s of [stats, readinessServer, admin]) reservedPorts.add(s.port);
    scheduleReconcile();
    await reconciling;
    const ports: ZtunnelPorts = {
      hbone: hbonePort,
      inboundPlaintext: plaintext.port,
      admin: admin.port,
      metrics: stats.port,
      readiness: readinessServer.port,
    };
    log.info({ address: nodeAddress, adminAddress: admin.address, ports }, 'ztunnel started');
    return {
      node,
      nodeAddress,
      ports,
      metrics: registry,
      tcp,
      pool,
      readiness,
      whenReady,
      settled: () => reconciling,
      stopped,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }

  function readiness(): string[] {
    const problems: string[] = [];
    if (stopping) problems.push('stopping');
    if (options.readinessCheck) problems.push(...options.readinessCheck());
    if (!hbone.server.listening) problems.push('the HBONE server is not listening');
    for (const [key, message] of listenErrors) problems.push(`cannot listen on ${key}: ${message}`);
    for (const status of certificates.status()) {
      if (status.state !== 'valid')
        problems.push(`no valid certificate for ${status.identity}${status.lastError ? `: ${status.lastError}` : ''}`);
    }
    return problems;
  }

  async function whenReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await reconciling;
    for (;;) {
      const problems = readiness();
      if (problems.length === 0) return;
      if (Date.now() > deadline) throw new Error(`ztunnel ${node} not ready after ${timeoutMs} ms: ${problems.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      unsubscribe();
      stopReauthorizing();
      await reconciling.catch(() => undefined);
      pool.close();
      await Promise.all([hbone.close(), ...servers.map((s) => s.close()), ...[...listeners.values()].map((l) => l.close())]);
      listeners.clear();
      tracker.closeAll('ztunnel stopped');
      log.info('ztunnel stopped');
      resolveStopped();
    })();
    return stopping;
  }
}
