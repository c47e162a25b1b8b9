/**
 * Where the control plane keeps its configuration and where the console reads telemetry from:
 * the flags `--store`, `--kubeconfig`, `--leader-election-namespace`, `--prometheus-url`,
 * `--waypoint-image` and their environment variables (AMBIT_STORE, AMBIT_LEADER_ELECTION_NAMESPACE,
 * AMBIT_PROMETHEUS_URL, AMBIT_WAYPOINT_IMAGE),
 * shared by `ambit serve` and `ambit control-plane`; and, in Kubernetes mode, the store and the
 * leader election that decides which replica runs the controllers that write.
 */

import { hostname } from 'node:os';
import type { KubernetesStore, LeaderElector } from '@ambit/control-plane/store/kubernetes';
import type { TelemetrySource } from '@ambit/control-plane/telemetry';
import { DEFAULT_WAYPOINT_IMAGE } from '@ambit/control-plane/waypoint-deployer';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import type { Logger } from 'pino';

export const STORE_KINDS = ['sqlite', 'kubernetes'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface BackendOptions {
  store?: string;
  kubeconfig?: string;
  leaderElectionNamespace?: string;
  prometheusUrl?: string;
  waypointImage?: string;
}

/** Where the Lease lives when neither the flag nor the environment says: the namespace of deploy/kubernetes. */
export const DEFAULT_LEADER_ELECTION_NAMESPACE = 'ambit-system';

export function addStoreFlags(command: Command): Command {
  return command
    .option(
      '--store <kind>',
      'where configuration lives: sqlite (the data directory, default) or kubernetes (the cluster’s API server; env AMBIT_STORE)',
      process.env.AMBIT_STORE,
    )
    .option(
      '--kubeconfig <file>',
      'with --store kubernetes: kubeconfig to use (default: in-cluster service account, else KUBECONFIG or ~/.kube/config)',
    );
}

/** `serve` runs controllers that write: with several replicas on one cluster, one Lease picks who runs them. */
export function addLeaderElectionFlags(command: Command): Command {
  return command.option(
    '--leader-election-namespace <namespace>',
    `with --store kubernetes: namespace of the Lease "ambit-control-plane" that picks the replica running the controllers (env AMBIT_LEADER_ELECTION_NAMESPACE; default ${DEFAULT_LEADER_ELECTION_NAMESPACE})`,
    process.env.AMBIT_LEADER_ELECTION_NAMESPACE,
  );
}

/** Kubernetes mode: the image of the waypoint Deployments made for istio-waypoint Gateways. */
export function addWaypointFlags(command: Command): Command {
  return command.option(
    '--waypoint-image <image>',
    `with --store kubernetes: image of the waypoint Deployments the controller creates for Gateways of class istio-waypoint (env AMBIT_WAYPOINT_IMAGE; default ${DEFAULT_WAYPOINT_IMAGE}, as deploy/kubernetes)`,
    process.env.AMBIT_WAYPOINT_IMAGE,
  );
}

export function addTelemetryFlags(command: Command): Command {
  return command.option(
    '--prometheus-url <url>',
    'read proxy metrics from this Prometheus server instead of scraping the proxies (env AMBIT_PROMETHEUS_URL)',
    process.env.AMBIT_PROMETHEUS_URL,
  );
}

/** The store kind asked for. */
export function chosenStore(options: BackendOptions): StoreKind {
  const kind = options.store ?? 'sqlite';
  if (!(STORE_KINDS as readonly string[]).includes(kind)) {
    throw new AmbitError('InvalidArgument', `--store ${kind}: must be one of ${STORE_KINDS.join(', ')}`);
  }
  return kind as StoreKind;
}

/**
 * With `--store kubernetes`, the KubernetesStore (resolves once every kind is listed); undefined for
 * SQLite, which the control plane opens in its data directory itself.
 */
export async function openChosenStore(options: BackendOptions, logger: Logger): Promise<KubernetesStore | undefined> {
  if (chosenStore(options) !== 'kubernetes') return undefined;
  const { KubernetesStore, loadKubeConfig } = await import('@ambit/control-plane/store/kubernetes');
  return KubernetesStore.open({ kubeConfig: loadKubeConfig(options.kubeconfig), logger: logger.child({ component: 'kubernetes-store' }) });
}

/** This replica's name among the candidates: the pod name in a cluster (POD_NAME, else the hostname, which is the pod name). */
export function leaderIdentity(): string {
  // Outside a pod several replicas may share a host: the pid keeps them apart.
  return process.env.POD_NAME || (process.env.KUBERNETES_SERVICE_HOST ? hostname() : `${hostname()}-${process.pid}`);
}

/** The Lease election among the replicas on one cluster; the caller starts it. */
export async function leaderElection(
  store: KubernetesStore,
  options: BackendOptions,
  callbacks: { onStartedLeading: () => void; onStoppedLeading: () => void; logger: Logger },
): Promise<LeaderElector> {
  const { LeaderElector } = await import('@ambit/control-plane/store/kubernetes');
  const logger = callbacks.logger;
  return new LeaderElector({
    api: store.api,
    namespace: options.leaderElectionNamespace || DEFAULT_LEADER_ELECTION_NAMESPACE,
    identity: leaderIdentity(),
    onStartedLeading: callbacks.onStartedLeading,
    onStoppedLeading: callbacks.onStoppedLeading,
    onNewLeader: (identity) => logger.info({ leader: identity }, 'leader observed'),
    logger,
  });
}

/** A Prometheus back end when a URL was given; undefined means the caller's default. */
export async function telemetryFrom(options: BackendOptions): Promise<TelemetrySource | undefined> {
  if (!options.prometheusUrl) return undefined;
  let url: URL;
  try {
    url = new URL(options.prometheusUrl);
  } catch {
    throw new AmbitError(
      'InvalidArgument',
      `--prometheus-url ${options.prometheusUrl}: not a URL; e.g. http://prometheus.istio-system:9090`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AmbitError('InvalidArgument', `--prometheus-url ${options.prometheusUrl}: use http:// or https://`);
  }
  const { PrometheusTelemetry } = await import('@ambit/control-plane/telemetry');
  return new PrometheusTelemetry({ url: url.toString() });
}
