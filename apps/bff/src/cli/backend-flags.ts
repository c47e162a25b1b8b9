/**
 * Where the control plane keeps its configuration and where the console reads telemetry from:
 * the flags `--store`, `--kubeconfig`, `--prometheus-url` and their environment variables
 * (AMBIT_STORE, AMBIT_PROMETHEUS_URL), shared by `ambit serve` and `ambit control-plane`.
 */

import type { TelemetrySource } from '@ambit/control-plane/telemetry';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';

export const STORE_KINDS = ['sqlite', 'kubernetes'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface BackendOptions {
  store?: string;
  kubeconfig?: string;
  prometheusUrl?: string;
}

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

export function addTelemetryFlags(command: Command): Command {
  return command.option(
    '--prometheus-url <url>',
    'read proxy metrics from this Prometheus server instead of scraping the proxies (env AMBIT_PROMETHEUS_URL)',
    process.env.AMBIT_PROMETHEUS_URL,
  );
}

/** The store kind asked for; a Kubernetes store is refused until the control plane can run on it. */
export function chosenStore(options: BackendOptions): StoreKind {
  const kind = options.store ?? 'sqlite';
  if (!(STORE_KINDS as readonly string[]).includes(kind)) {
    throw new AmbitError('InvalidArgument', `--store ${kind}: must be one of ${STORE_KINDS.join(', ')}`);
  }
  if (kind === 'kubernetes') {
    // The store itself (informers, server-side apply, leader election) exists; the wiring does not.
    throw new AmbitError(
      'InvalidArgument',
      '--store kubernetes is not available in this build: the Kubernetes store exists (@ambit/control-plane/store/kubernetes/index) ' +
        'but the control plane still opens its SQLite store itself and the console API writes synchronously. ' +
        'Run with --store sqlite (the default); see README "Running on Kubernetes".',
    );
  }
  return kind as StoreKind;
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
