import { readFile } from 'node:fs/promises';
import { AmbitError } from '@ambit/shared/errors';
import { DEFAULT_TRUST_DOMAIN, parseSpiffeId } from '@ambit/shared/spiffe';
import { type Logger, pino } from 'pino';
import { createIstioCertificateProvider } from '../identity/istio-ca-client';
import { CertificateManager } from '../identity/manager';
import { ProxyState } from '../state/proxy-state';
import { AdsClient } from '../xds/ads-client';
import { channelSecurity, type XdsTlsOptions } from '../xds/channel';
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

/** How often startup reports that it is still waiting. */
const WAITING_LOG_INTERVAL_MS = 10_000;

export async function runZtunnel(options: RunZtunnelOptions): Promise<ZtunnelRuntime> {
  const { node, nodeAddress, controlPlane, signal } = options;
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const logger = options.logger ?? pino({ name: 'ztunnel' });
  const log = logger.child({ node });
  const token = () => readToken(options.tokenFile);
  await token(); // A missing or empty token file is a usage error: fail now, not on every retry.

  const state = new ProxyState();
  const security = await channelSecurity({ tls: options.xdsTls });
  const provider = createIstioCertificateProvider({
    address: controlPlane,
    token,
    credentials: security.credentials,
    channelOptions: security.options,
    validitySeconds: options.certTtlSeconds ?? 0,
  });
  const certificates = new CertificateManager({ provider, logger: log.child({ scope: 'identity' }) });
  const xds = new AdsClient({
    address: controlPlane,
    tls: options.xdsTls,
    // Istio's node id form, so proxy-status reads like Istio's.
    node: {
      id: `ztunnel~${nodeAddress}~ztunnel-${node}.istio-system~istio-system.svc.cluster.local`,
      kind: 'ztunnel',
      nodeName: node,
      metadata: { NAMESPACE: 'istio-system', INSTANCE_IPS: nodeAddress },
    },
    sink: new WorkloadStateSink({ state, node }),
    token,
    ...(options.xdsMaxBackoffMs !== undefined ? { backoff: { maxMs: options.xdsMaxBackoffMs } } : {}),
    logger,
  });
  const release = (): void => {
    xds.close();
    certificates.stop();
    provider.close();
  };

  let ztunnel: Ztunnel;
  let trustBundle: string[];
  try {
    xds.start();
    await untilSynced(xds, log, signal);
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

  // A chain that leads to a root outside the bundle would fail every peer's check: say so, loudly.
  const unwatch = certificates.onCertificate((cert) => {
    const root = cert.chainPem.at(-1);
    if (root && !trustBundle.some((trusted) => samePem(trusted, root))) {
      log.error({ identity: cert.identity }, 'the CA now signs under a root this ztunnel does not trust; restart it to load the new root');
    }
  });
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

async function readToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AmbitError('InvalidArgument', `cannot read the node token file ${file}: ${(error as Error).message}`);
  }
  const value = text.trim();
  if (!value) throw new AmbitError('InvalidArgument', `the node token file ${file} is empty`);
  return value;
}

async function readRoots(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const roots = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (roots.length === 0) throw new AmbitError('InvalidArgument', `${file} holds no PEM certificate`);
  return roots.map((pem) => `${pem}\n`);
}

/** Waits for the control plane's first full answer, however long it takes, saying so now and then. */
async function untilSynced(xds: AdsClient, log: Logger, signal: AbortSignal | undefined): Promise<void> {
  const aborted = abortPromise(signal);
  for (;;) {
    try {
      await Promise.race([xds.whenSynced(WAITING_LOG_INTERVAL_MS), aborted.promise]);
      aborted.dispose();
      return;
    } catch (error) {
      if (signal?.aborted || xds.closed) {
        aborted.dispose();
        throw error;
      }
      log.warn({ error: (error as Error).message }, 'still waiting for configuration from the control plane');
    }
  }
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
  const aborted = abortPromise(signal);
  let onCertificate!: (chain: readonly string[]) => void;
  const first = new Promise<readonly string[]>((resolve) => {
    onCertificate = resolve;
  });
  const unwatch = certificates.onCertificate((cert) => onCertificate(cert.chainPem));
  const follow = (): void => certificates.track(new Set(state.workloadsOnNode(node).map((w) => w.identity)));
  const unsubscribe = state.onChange(follow);
  follow();
  const waiting = setInterval(() => {
    const reason =
      state.workloadsOnNode(node).length === 0 ? 'no workload is scheduled on this node yet' : 'no certificate from the CA yet';
    log.warn({ reason }, 'waiting for a first certificate to learn the trust bundle (or pass a root certificate file)');
  }, WAITING_LOG_INTERVAL_MS);
  try {
    const chain = await Promise.race([first, aborted.promise]);
    const root = chain.at(-1);
    if (!root) throw new AmbitError('Unavailable', 'the CA returned an empty chain');
    return [root];
  } finally {
    clearInterval(waiting);
    unsubscribe();
    unwatch();
    aborted.dispose();
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

function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new AmbitError('Unavailable', 'the ztunnel was stopped before it started'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function samePem(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}
