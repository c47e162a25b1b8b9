import { isIP } from 'node:net';
import { AmbitError } from '@ambit/shared/errors';
import type * as grpc from '@grpc/grpc-js';
import { type Logger, pino } from 'pino';
import {
  addCertificateService,
  type CertificateAuthority,
  createCertificateAuthority,
  createServingCredentials,
  DEFAULT_SERVING_DNS_NAMES,
  DEFAULT_SERVING_IP_ADDRESSES,
  type ServingCertificateRequest,
  type ServingCredentials,
} from './ca';
import { type MonitoringServer, startMonitoringServer } from './monitoring';
import { DEFAULT_PORTS } from './ports';
import { createRegistry, type Registry } from './registry';
import { openSqliteStore, type Store } from './store';
import { createRegistryResourceSource } from './translate';
import { startXdsServer, summarizeProxies, type XdsServer } from './xds';

/**
 * The control plane as one process runs it: the store, the registry that follows it, the
 * translators behind the xDS server, the CA on the same gRPC ports, and the monitoring port.
 * Ports follow Istio: 15010 xDS + CA (plaintext, loopback by default), 15012 the same services
 * over TLS with a certificate from the control plane's own CA, 15014 monitoring.
 */
export interface ControlPlaneOptions {
  /** Holds the CA (and, without `store`, the SQLite store). */
  dataDir: string;
  /**
   * The store to run on (e.g. a KubernetesStore) instead of opening SQLite in `dataDir`. The
   * control plane closes it on stop.
   */
  store?: Store;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** xDS and CA gRPC port, plaintext; default 15010, 0 for any free port. */
  xdsPort?: number;
  /** xDS and CA gRPC port over TLS; default 15012, 0 for any free port. */
  secureXdsPort?: number;
  /** Address the TLS port listens on; default `host`. A specific address is added to the certificate's names. */
  secureHost?: string;
  /** Lifetime of the TLS port's certificate; default 24 h. It is renewed at half its lifetime. */
  servingCertificateTtlSeconds?: number;
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
  readonly store: Store;
  readonly registry: Registry;
  readonly ca: CertificateAuthority;
  /** Serves both ports: `xds.port` (plaintext) and `secureXdsPort` (TLS). */
  readonly xds: XdsServer;
  readonly secureXdsPort: number;
  /** The TLS port's certificate: the current one, and renewals. */
  readonly servingCertificate: ServingCredentials;
  readonly monitoring: MonitoringServer;
  stop(): Promise<void>;
}

export { DEFAULT_PORTS } from './ports';

/** Addresses that mean "every interface": no client dials them, so they are no certificate name. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = options.logger ?? pino({ name: 'control-plane' });
  const host = options.host ?? '127.0.0.1';
  const store = options.store ?? openSqliteStore({ dataDir: options.dataDir, pollIntervalMs: options.storePollMs ?? 200 });
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
    // Cleanups run first to last: the xDS server stops issuing before the ledger's last write is awaited.
    cleanups.unshift(() => ca.flushLedger());
    const source = createRegistryResourceSource(registry);
    const xds = await startXdsServer({
      host,
      port: options.xdsPort ?? DEFAULT_PORTS.xds,
      source,
      logger: logger.child({ component: 'xds' }),
    });
    cleanups.unshift(() => xds.stop());
    addCertificateService(xds.server, ca);
    const secureHost = options.secureHost ?? host;
    const servingRequest: ServingCertificateRequest = {
      ...servingNamesFor(secureHost),
      ...(options.servingCertificateTtlSeconds !== undefined ? { ttlSeconds: options.servingCertificateTtlSeconds } : {}),
    };
    const servingCertificate = await createServingCredentials({
      issue: () => ca.issueServingCertificate(servingRequest),
      logger: logger.child({ component: 'serving-certificate' }),
    });
    cleanups.unshift(() => servingCertificate.close());
    // The same grpc.Server, a second port: both serve ADS and the CA, one in plaintext, one over TLS.
    const secureXdsPort = await bindPort(
      xds.server,
      secureHost,
      options.secureXdsPort ?? DEFAULT_PORTS.secureXds,
      servingCertificate.credentials,
    );
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
    logger.info(
      {
        xds: `${host}:${xds.port}`,
        secureXds: `${secureHost}:${secureXdsPort}`,
        monitoring: `${host}:${monitoring.port}`,
        dataDir: options.dataDir,
        store: options.store ? options.store.constructor.name : 'SqliteStore',
      },
      'control plane ready',
    );
    return {
      store,
      registry,
      ca,
      xds,
      secureXdsPort,
      servingCertificate,
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

/** The TLS port's certificate names: Istio's istiod names, plus the address it listens on when that is a specific one. */
function servingNamesFor(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = [...DEFAULT_SERVING_DNS_NAMES];
  const ipAddresses = [...DEFAULT_SERVING_IP_ADDRESSES];
  if (isIP(host) === 0) {
    if (!dnsNames.includes(host)) dnsNames.push(host);
  } else if (!WILDCARD_HOSTS.has(host) && !ipAddresses.includes(host)) {
    ipAddresses.push(host);
  }
  return { dnsNames, ipAddresses };
}

async function bindPort(server: grpc.Server, host: string, port: number, credentials: grpc.ServerCredentials): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (error, bound) =>
      error ? reject(new AmbitError('Unavailable', `cannot serve xDS over TLS on ${address}: ${error.message}`)) : resolve(bound),
    ),
  );
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
