/**
 * The control plane's serving certificate as grpc-js server credentials that renew themselves: a
 * new certificate at half the current one's lifetime (as Istio's proxies renew theirs), retried
 * with backoff on failure while the still-valid one keeps serving. New TLS connections get the
 * new certificate; open connections keep the session they have.
 */
import type { SecureContextOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ServingCertificate } from './serving-cert';

export interface ServingCredentialsOptions {
  /** Issues a fresh certificate, e.g. `() => ca.issueServingCertificate({ dnsNames })`. */
  issue: () => Promise<ServingCertificate>;
  logger: Logger;
  /** Fraction of the lifetime after which to renew; default 0.5. */
  renewAtFraction?: number;
}

export interface ServingCredentials {
  /** For `server.bindAsync`: serves whichever certificate is current. */
  readonly credentials: grpc.ServerCredentials;
  /** The certificate new connections get. */
  current(): ServingCertificate;
  /** Calls `listener` after each renewal; returns an unsubscribe. */
  onRenewed(listener: (certificate: ServingCertificate) => void): () => void;
  /** Stops renewing. */
  close(): void;
}

/** Retry after a failed renewal: 0.5 s, doubling, ±20 %, at most 150 s (REFERENCE.md, CA). */
const RETRY = { initialMs: 500, multiplier: 2, jitter: 0.2, maxMs: 150_000 } as const;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function createServingCredentials(options: ServingCredentialsOptions): Promise<ServingCredentials> {
  const renewAtFraction = options.renewAtFraction ?? 0.5;
  const log = options.logger;
  let current = await options.issue();
  let issuedAt = Date.now();
  let failures = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const credentials = new RenewableServerCredentials(secureContextOf(current));
  const renewedListeners = new Set<(certificate: ServingCertificate) => void>();

  const schedule = (delayMs: number): void => {
    if (closed) return;
    timer = setTimeout(() => void renew(), Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
    timer.unref();
  };
  const renewalDelay = (): number => issuedAt + (current.notAfter.getTime() - issuedAt) * renewAtFraction - Date.now();

  async function renew(): Promise<void> {
    try {
      const next = await options.issue();
      if (closed) return;
      current = next;
      issuedAt = Date.now();
      failures = 0;
      credentials.replace(secureContextOf(next));
      for (const listener of renewedListeners) listener(next);
      schedule(renewalDelay());
    } catch (error) {
      if (closed) return;
      const base = Math.min(RETRY.maxMs, RETRY.initialMs * RETRY.multiplier ** failures++);
      const delayMs = base * (1 - RETRY.jitter + Math.random() * 2 * RETRY.jitter);
      log.warn(
        { err: error, retryInMs: Math.round(delayMs), servingUntil: current.notAfter.toISOString() },
        'could not renew the control plane serving certificate; the current one keeps serving',
      );
      schedule(delayMs);
    }
  }

  schedule(renewalDelay());
  return {
    credentials,
    current: () => current,
    onRenewed(listener) {
      renewedListeners.add(listener);
      return () => renewedListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      renewedListeners.clear();
    },
  };
}

function secureContextOf(certificate: ServingCertificate): SecureContextOptions {
  return { cert: certificate.chain.join(''), key: certificate.privateKeyPem };
}

/**
 * Server credentials whose certificate can be replaced: grpc-js hands every update to the TLS
 * servers bound with them (`setSecureContext`). No client certificate is asked for: callers
 * authenticate with a token, as Istio's 15012 allows.
 */
class RenewableServerCredentials extends grpc.ServerCredentials {
  constructor(initial: SecureContextOptions) {
    super({ requestCert: false }, initial);
  }

  replace(options: SecureContextOptions): void {
    this.updateSecureContextOptions(options);
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}
