import { DEFAULT_TRUST_DOMAIN, parseSpiffeId } from '@ambit/shared/spiffe';
import { type Logger, pino } from 'pino';
import type { CertificateManager } from '../identity/manager';
import { connectToControlPlane } from '../process/control-plane-link';
import { firstCertificate, untilSynced } from '../process/startup';
import { readRoots, reportUntrustedRoots, rootOfChain } from '../process/trust-bundle';
import { ProxyState } from '../state/proxy-state';
import type { AdsClient } from '../xds/ads-client';
import type { XdsTlsOptions } from '../xds/channel';
import { WorkloadStateSink } from '../xds/workload-state-sink';
import { startZtunnel, type Ztunnel, type ZtunnelPorts } from './ztunnel';

/**
 * One node's ztunnel as a process runs it: configuration only over delta ADS from the control
 * plane, certificates only from its CA (node token as Bearer, acting for each local workload), the
 * trust bundle from a root file or from the root the CA returns last in every chain. It starts
 * serving once it has the control plane's view and a trust bundle, and keeps serving from what it
 * holds while the control plane is away.
 */

export interface RunZtunnelOptions {
  node: string;
  /** The node's own address: HBONE, plaintext inbound, metrics and readiness listen on it. */
  nodeAddress: string;
  /** `host:port` of the control plane's gRPC port (xDS and CA). */
  controlPlane: string;
  /** Holds the node token; read for every connection and certificate request, so a reissued token applies. */
  tokenFile: string;
  /** Local workloads outside it keep the proxy from being ready; default cluster.local. */
  trustDomain?: string;
  ports?: Partial<ZtunnelPorts>;
  /** Loopback address for admin (15000); default 127.0.0.1. */
  adminHost?: string;
  /** Requested certificate lifetime in seconds; default: the CA's (24 h). */
  certTtlSeconds?: number;
  /** PEM file of the root(s) peers' chains lead to; default: the root the CA returns with the first certificate. */
  rootCertFile?: string;
  /** TLS to the control plane (15012); absent: plaintext (15010, the embedded mesh). */
  xdsTls?: XdsTlsOptions;
  /** Longest wait between attempts to reach a lost control plane; default 30 s (XDS_RECONNECT_BACKOFF). */
  xdsMaxBackoffMs?: number;
  logger?: Logger;
  /** Aborting it gives up starting (the runtime's stop() stops a started one). */
  signal?: AbortSignal;
}

export interface ZtunnelRuntime {
  readonly ztunnel: Ztunnel;
  readonly xds: AdsClient;
  readonly state: ProxyState;
  readonly certificates: CertificateManager;
  readonly trustBundle: readonly string[];
  /** Resolves once stopped: by stop(), or by the admin's POST /quitquitquit. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function runZtunnel(options: RunZtunnelOptions): Promise<ZtunnelRuntime> {
  const { node, nodeAddress, controlPlane, signal } = options;
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const logger = options.logger ?? pino({ name: 'ztunnel' });
  const log = logger.child({ node });
  const state = new ProxyState();
  const { xds, certificates, release } = await connectToControlPlane({
    controlPlane,
    tokenFile: options.tokenFile,
    ...(options.xdsTls ? { xdsTls: options.xdsTls } : {}),
    ...(options.certTtlSeconds !== undefined ? { certTtlSeconds: options.certTtlSeconds } : {}),
    ...(options.xdsMaxBackoffMs !== undefined ? { xdsMaxBackoffMs: options.xdsMaxBackoffMs } : {}),
    // Istio's node id form, so proxy-status reads like Istio's.
    node: {
      id: `ztunnel~${nodeAddress}~ztunnel-${node}.istio-system~istio-system.svc.cluster.local`,
      kind: 'ztunnel',
      nodeName: node,
      metadata: { NAMESPACE: 'istio-system', INSTANCE_IPS: nodeAddress },
    },
    sink: new WorkloadStateSink({ state, node }),
    logger,
    log,
  });

  let ztunnel: Ztunnel;
  let trustBundle: string[];
  try {
    xds.start();
    await untilSynced(xds, log, signal, 'ztunnel');
    trustBundle = options.rootCertFile ? await readRoots(options.rootCertFile) : await rootFromCa(state, node, certificates, log, signal);
    ztunnel = await startZtunnel({
      node,
      nodeAddress,
      ports: options.ports,
      adminHost: options.adminHost,
      state,
      certificates,
      trustBundle,
      logger,
      readinessCheck: () => notReadyReasons(xds, state, node, trustDomain),
    });
  } catch (error) {
    release();
    throw error;
  }

  const unwatch = reportUntrustedRoots(certificates, trustBundle, log, 'ztunnel');
  const stopped = ztunnel.stopped.then(() => {
    unwatch();
    release();
  });
  return {
    ztunnel,
    xds,
    state,
    certificates,
    trustBundle,
    stopped,
    async stop() {
      await ztunnel.stop();
      await stopped;
    },
  };
}

/**
 * The root the CA returns last in a chain: asks for a certificate for a local workload (which
 * the ztunnel needs anyway) and waits until one arrives, as long as that takes.
 */
async function rootFromCa(
  state: ProxyState,
  node: string,
  certificates: CertificateManager,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const follow = (): void => certificates.track(new Set(state.workloadsOnNode(node).map((w) => w.identity)));
  const unsubscribe = state.onChange(follow);
  try {
    const first = firstCertificate(certificates, log, signal, 'ztunnel', () => ({
      reason: state.workloadsOnNode(node).length === 0 ? 'no workload is scheduled on this node yet' : 'no certificate from the CA yet',
      hint: 'or pass a root certificate file',
    }));
    follow();
    return rootOfChain((await first).chainPem);
  } finally {
    unsubscribe();
  }
}

function notReadyReasons(xds: AdsClient, state: ProxyState, node: string, trustDomain: string): string[] {
  const reasons: string[] = [];
  if (!xds.synced) reasons.push('no configuration from the control plane yet');
  for (const workload of state.workloadsOnNode(node)) {
    const domain = parseSpiffeId(workload.identity)?.trustDomain;
    if (domain !== trustDomain) reasons.push(`workload ${workload.uid} is in trust domain ${domain}, not ${trustDomain}`);
  }
  return reasons;
}
