import { isIP } from 'node:net';
import { AmbitError } from '@ambit/shared/errors';
import { DEFAULT_TRUST_DOMAIN, parseSpiffeId } from '@ambit/shared/spiffe';
import { type Logger, pino } from 'pino';
import type { CertificateManager } from '../identity/manager';
import { connectToControlPlane } from '../process/control-plane-link';
import { firstCertificate, untilSynced } from '../process/startup';
import { readRoots, reportUntrustedRoots, rootOfChain } from '../process/trust-bundle';
import { ProxyState } from '../state/proxy-state';
import { type AdsClient, WAYPOINT_SUBSCRIPTIONS, ZTUNNEL_SUBSCRIPTIONS } from '../xds/ads-client';
import type { XdsTlsOptions } from '../xds/channel';
import { WorkloadStateSink } from '../xds/workload-state-sink';
import { WaypointConfig } from './config';
import { startWaypoint, type Waypoint, type WaypointPorts } from './waypoint';
import { WaypointConfigSink } from './xds-sink';

/**
 * One waypoint as a process runs it (the pod of a Deployment the waypoint controller made for an
 * `istio-waypoint` Gateway): configuration only over ADS from the control plane — Envoy's routes,
 * clusters and endpoints, Ambit's WaypointPolicy, and the workload API for endpoints' identities
 * and nodes — and its one certificate, for the pod's own identity, from the CA with its node's
 * token (the CA lets a node's token act for the workloads on that node, and the waypoint pod is
 * one). It starts serving once it has the control plane's view and a certificate, and keeps
 * serving from what it holds while the control plane is away.
 */

export interface RunWaypointOptions {
  /** `<namespace>/<name>` of the waypoint's Gateway. */
  name: string;
  /** The pod's address (POD_IP): HBONE (15008), metrics (15020) and readiness (15021) listen on it. */
  address: string;
  /** `host:port` of the control plane's gRPC port (xDS and CA). */
  controlPlane: string;
  /** Holds the token of the node the pod runs on; read for every connection and certificate request. */
  tokenFile: string;
  /** The node the pod runs on. */
  node: string;
  /** The pod's namespace and service account: the waypoint is `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
  namespace: string;
  serviceAccount: string;
  /** The pod's name, for the proxy id the control plane lists; default the Gateway's name. */
  podName?: string;
  /** Default cluster.local. */
  trustDomain?: string;
  /** PEM file of the root(s) peers' chains lead to; default: the root the CA returns with the waypoint's certificate. */
  rootCertFile?: string;
  ports?: Partial<WaypointPorts>;
  /** Loopback address for admin (15000); default `address` when it is a loopback address (one per pod on one machine), else 127.0.0.1. */
  adminHost?: string;
  /** Requested certificate lifetime in seconds; default: the CA's (24 h). */
  certTtlSeconds?: number;
  /** TLS to the control plane (15012); absent: plaintext (15010, the embedded mesh). */
  xdsTls?: XdsTlsOptions;
  /** Longest wait between attempts to reach a lost control plane; default 30 s (XDS_RECONNECT_BACKOFF). */
  xdsMaxBackoffMs?: number;
  logger?: Logger;
  /** Aborting it gives up starting (the runtime's stop() stops a started one). */
  signal?: AbortSignal;
}

export interface WaypointRuntime {
  readonly waypoint: Waypoint;
  readonly xds: AdsClient;
  readonly state: ProxyState;
  readonly config: WaypointConfig;
  readonly certificates: CertificateManager;
  readonly trustBundle: readonly string[];
  /** Resolves once stopped: by stop(), or by the admin's POST /quitquitquit. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function runWaypoint(options: RunWaypointOptions): Promise<WaypointRuntime> {
  const { name, address, controlPlane, node, namespace, signal } = options;
  const [gatewayNamespace, gatewayName] = name.split('/');
  if (!gatewayNamespace || !gatewayName || name.split('/').length !== 2) {
    throw new AmbitError('InvalidArgument', `the waypoint name "${name}" must be <namespace>/<name> of its Gateway`);
  }
  if (isIP(address) === 0) throw new AmbitError('InvalidArgument', `the waypoint address "${address}" is not an IP address`);
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const identity = `spiffe://${trustDomain}/ns/${namespace}/sa/${options.serviceAccount}`;
  if (!parseSpiffeId(identity)) throw new AmbitError('InvalidArgument', `namespace and service account make no SPIFFE id: ${identity}`);
  const logger = options.logger ?? pino({ name: 'waypoint' });
  const log = logger.child({ waypoint: name });
  const state = new ProxyState();
  const config = new WaypointConfig();
  const podName = options.podName ?? gatewayName;
  const { xds, certificates, release } = await connectToControlPlane({
    controlPlane,
    tokenFile: options.tokenFile,
    ...(options.xdsTls ? { xdsTls: options.xdsTls } : {}),
    ...(options.certTtlSeconds !== undefined ? { certTtlSeconds: options.certTtlSeconds } : {}),
    ...(options.xdsMaxBackoffMs !== undefined ? { xdsMaxBackoffMs: options.xdsMaxBackoffMs } : {}),
    // Istio's node id form for waypoints (`router`), so proxy-status reads like Istio's.
    node: {
      id: `router~${address}~${podName}.${namespace}~${namespace}.svc.cluster.local`,
      kind: 'waypoint',
      nodeName: node,
      waypoint: name,
      metadata: { NAMESPACE: namespace, NAME: podName, INSTANCE_IPS: address },
    },
    sink: new WaypointConfigSink(config, new WorkloadStateSink({ state })),
    subscriptions: [...WAYPOINT_SUBSCRIPTIONS, ...ZTUNNEL_SUBSCRIPTIONS],
    logger,
    log,
  });

  let waypoint: Waypoint;
  let trustBundle: string[];
  try {
    xds.start();
    const certificate = firstCertificate(certificates, log, signal, 'waypoint', () => ({
      identity,
      node,
      error: certificates.status()[0]?.lastError,
    }));
    certificates.track([identity]);
    // The control plane's view and the certificate are fetched side by side: both gate serving.
    const [, cert] = await Promise.all([untilSynced(xds, log, signal, 'waypoint'), certificate]);
    trustBundle = options.rootCertFile ? await readRoots(options.rootCertFile) : rootOfChain(cert.chainPem);
    waypoint = await startWaypoint({
      name,
      address,
      identity,
      trustDomain,
      certificates,
      trustBundle,
      state,
      routes: config,
      logger,
      ports: options.ports,
      adminHost: options.adminHost ?? (isLoopback(address) ? address : undefined),
      configDump: () => ({ xds: xds.status() }),
      readinessCheck: () => (xds.synced ? [] : ['no configuration from the control plane yet']),
    });
  } catch (error) {
    release();
    throw error;
  }

  const unwatch = reportUntrustedRoots(certificates, trustBundle, log, 'waypoint');
  const stopped = waypoint.stopped.then(() => {
    unwatch();
    release();
  });
  return {
    waypoint,
    xds,
    state,
    config,
    certificates,
    trustBundle,
    stopped,
    async stop() {
      await waypoint.stop();
      await stopped;
    },
  };
}

function isLoopback(address: string): boolean {
  return (isIP(address) === 4 && address.startsWith('127.')) || address === '::1';
}
