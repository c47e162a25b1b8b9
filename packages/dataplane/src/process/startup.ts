import { AmbitError } from '@ambit/shared/errors';
import type { Logger } from 'pino';
import type { WorkloadCertificate } from '../identity/certificate';
import type { CertificateManager } from '../identity/manager';
import type { AdsClient } from '../xds/ads-client';

/**
 * What a proxy process waits for before it serves — the control plane's first full answer, a
 * first certificate — however long that takes, saying now and then what it still waits for, and
 * giving up only when its start is aborted.
 */

/** How often startup reports that it is still waiting. */
export const WAITING_LOG_INTERVAL_MS = 10_000;

/** Waits for the control plane's first full answer, saying so now and then. */
export async function untilSynced(xds: AdsClient, log: Logger, signal: AbortSignal | undefined, proxy: string): Promise<void> {
  const aborted = abortable(signal, proxy);
  try {
    for (;;) {
      try {
        await Promise.race([xds.whenSynced(WAITING_LOG_INTERVAL_MS), aborted.promise]);
        return;
      } catch (error) {
        if (signal?.aborted || xds.closed) throw error;
        log.warn({ error: (error as Error).message }, 'still waiting for configuration from the control plane');
      }
    }
  } finally {
    aborted.dispose();
  }
}

/** The first certificate `certificates` obtains (for whatever it tracks), logging `waiting()` now and then until it comes. */
export async function firstCertificate(
  certificates: CertificateManager,
  log: Logger,
  signal: AbortSignal | undefined,
  proxy: string,
  waiting: () => Record<string, unknown>,
): Promise<WorkloadCertificate> {
  const aborted = abortable(signal, proxy);
  let onCertificate!: (cert: WorkloadCertificate) => void;
  const first = new Promise<WorkloadCertificate>((resolve) => {
    onCertificate = resolve;
  });
  const unwatch = certificates.onCertificate((cert) => onCertificate(cert));
  const timer = setInterval(() => log.warn(waiting(), 'waiting for a first certificate from the CA'), WAITING_LOG_INTERVAL_MS);
  try {
    return await Promise.race([first, aborted.promise]);
  } finally {
    clearInterval(timer);
    unwatch();
    aborted.dispose();
  }
}

/** A promise that rejects when `signal` aborts (never without one), and its cleanup. */
export function abortable(signal: AbortSignal | undefined, proxy: string): { promise: Promise<never>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new AmbitError('Unavailable', `the ${proxy} was stopped before it started`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
