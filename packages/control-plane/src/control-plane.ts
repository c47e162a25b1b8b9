import { type Logger, pino } from 'pino';
import { addCertificateService, type CertificateAuthority, createCertificateAuthority } from './ca';
import { type MonitoringServer, startMonitoringServer } from './monitoring';
import { createRegistry, type Registry } from './registry';
import { openSqliteStore, type SqliteStore } from './store';
import { createRegistryResourceSource } from './translate';
import { startXdsServer, summarizeProxies, type XdsServer } from './xds';

/**
 * The control plane as one process runs it: the store, the registry that follows it, the
 * translators behind the xDS server, the CA on the same gRPC port, and the monitoring port.
 * Ports follow Istio: 15010 xDS + CA (plaintext, loopback by default), 15014 monitoring.
 */
export interface ControlPlaneOptions {
  dataDir: string;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** xDS and CA gRPC port; default 15010, 0 for any free port. */
  xdsPort?: number;
  /** Metrics, readiness and debug views; default 15014, 0 for any free port. */
  monitoringPort?: number;
  trustDomain?: string;
  /** Istio-style plug-in CA certificates to sign with instead of a generated root. */
  pluginCertsDir?: string;
  /** How often to pick up changes other processes (the CLI) wrote to the store; default 200 ms. */
  storePollMs?: number;
  logger?: Logger;
}

export interface ControlPlane {
  readonly store: SqliteStore;
  readonly registry: Registry;
  readonly ca: CertificateAuthority;
  readonly xds: XdsServer;
  readonly monitoring: MonitoringServer;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { xds: 15010, monitoring: 15014 } as const;

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = options.logger ?? pino({ name: 'control-plane' });
  const host = options.host ?? '127.0.0.1';
  const store = openSqliteStore({ dataDir: options.dataDir, pollIntervalMs: options.storePollMs ?? 200 });
  const cleanups: (() => unknown)[] = [() => store.close()];
  try {
    const registry = createRegistry(store, options.trustDomain ? { trustDomain: options.trustDomain } : {});
    cleanups.unshift(() => registry.close());
    const ca = await createCertificateAuthority({
      dataDir: options.dataDir,
      logger,
      ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
      ...(options.pluginCertsDir ? { pluginCertsDir: options.pluginCertsDir } : {}),
      identitiesOnNode: (node) => identitiesOnNode(registry, node),
    });
    const source = createRegistryResourceSource(registry);
    const xds = await startXdsServer({
      host,
      port: options.xdsPort ?? DEFAULT_PORTS.xds,
      source,
      logger: logger.child({ component: 'xds' }),
    });
    cleanups.unshift(() => xds.stop());
    addCertificateService(xds.server, ca);
    const monitoring = await startMonitoringServer(
      {
        metrics: () => xds.metricsText(),
        ready: () => true,
        debug: {
          'proxy-status': () => summarizeProxies(xds.listProxies()),
          syncz: () => xds.listProxies(),
          registryz: () => registrySummary(registry),
        },
      },
      { host, port: options.monitoringPort ?? DEFAULT_PORTS.monitoring },
    );
    cleanups.unshift(() => monitoring.close());
    logger.info({ xds: `${host}:${xds.port}`, monitoring: `${host}:${monitoring.port}`, dataDir: options.dataDir }, 'control plane ready');
    return {
      store,
      registry,
      ca,
      xds,
      monitoring,
      async stop() {
        for (const cleanup of cleanups) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}

/** SPIFFE identities of the workloads scheduled on a node: what that node's ztunnel may get certificates for. */
function identitiesOnNode(registry: Registry, node: string): Set<string> {
  const identities = new Set<string>();
  for (const workload of registry.snapshot().workloads.values()) if (workload.node === node) identities.add(workload.identity);
  return identities;
}

function registrySummary(registry: Registry) {
  const snapshot = registry.snapshot();
  return {
    namespaces: snapshot.namespaces.size,
    services: snapshot.services.size,
    workloads: snapshot.workloads.size,
    waypoints: snapshot.waypoints.size,
  };
}
