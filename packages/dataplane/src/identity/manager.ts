import type { Logger } from 'pino';
import { Backoff, type BackoffOptions, CERTIFICATE_BACKOFF } from './backoff';
import { acceptCertificate, generateKeyAndCsr, type WorkloadCertificate } from './certificate';
import type { CertificateProvider } from './provider';

/**
 * Holds one key and certificate per identity the node's workloads have, and keeps them fresh:
 * renews at half the lifetime, retries failures with backoff while the old certificate still
 * serves. Handing out the certificate object is the whole contract with the TLS layer: a renewed
 * certificate is a new object, so new handshakes use it and established connections keep theirs.
 */

/** What the TLS layer needs from certificate management. */
export interface CertificateStore {
  /** The current, unexpired certificate, if there is one; never waits. */
  get(identity: string): WorkloadCertificate | undefined;
  /** The current certificate, fetching it first when there is none. */
  acquire(identity: string): Promise<WorkloadCertificate>;
  /** The identities held for this node's workloads. */
  identities(): Iterable<string>;
}

export interface CertificateStatus {
  identity: string;
  state: 'valid' | 'pending' | 'expired';
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  /** Seconds until notAfter (negative once expired). */
  expirySeconds?: number;
  /** When the next renewal (or retry) is due. */
  nextRefresh?: string;
  rotations: number;
  lastError?: string;
}

export interface CertificateManagerOptions {
  provider: CertificateProvider;
  logger?: Logger;
  /** Fraction of the lifetime after which to renew; 0.5 as in Istio. */
  renewAtFraction?: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

interface Entry {
  readonly identity: string;
  current: WorkloadCertificate | undefined;
  inFlight: Promise<WorkloadCertificate> | undefined;
  timer: NodeJS.Timeout | undefined;
  nextRefreshAt: number | undefined;
  readonly backoff: Backoff;
  rotations: number;
  lastError: string | undefined;
}

export type CertificateListener = (certificate: WorkloadCertificate) => void;

export class CertificateManager implements CertificateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<CertificateListener>();
  private readonly renewAt: number;
  private stopped = false;

  constructor(private readonly options: CertificateManagerOptions) {
    this.renewAt = options.renewAtFraction ?? 0.5;
  }

  get(identity: string): WorkloadCertificate | undefined {
    const current = this.entries.get(identity)?.current;
    return current !== undefined && current.notAfter.getTime() > Date.now() ? current : undefined;
  }

  acquire(identity: string): Promise<WorkloadCertificate> {
    const valid = this.get(identity);
    if (valid) return Promise.resolve(valid);
    const entry = this.entries.get(identity) ?? this.add(identity);
    return this.refresh(entry);
  }

  identities(): Iterable<string> {
    return this.entries.keys();
  }

  /** Keeps certificates for exactly `identities`: fetches the new ones, forgets the others. */
  track(identities: Iterable<string>): void {
    const wanted = new Set(identities);
    for (const [identity, entry] of this.entries) {
      if (wanted.has(identity)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.entries.delete(identity);
    }
    for (const identity of wanted) {
      if (!this.entries.has(identity)) this.refresh(this.add(identity)).catch(() => undefined);
    }
  }

  /** Called with each new certificate (first issue and every renewal). */
  onCertificate(listener: CertificateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): CertificateStatus[] {
    const now = Date.now();
    const out: CertificateStatus[] = [];
    for (const entry of this.entries.values()) {
      const cert = entry.current;
      const status: CertificateStatus = {
        identity: entry.identity,
        state: !cert ? 'pending' : cert.notAfter.getTime() > now ? 'valid' : 'expired',
        rotations: entry.rotations,
      };
      if (cert) {
        status.serialNumber = cert.serialNumber;
        status.notBefore = cert.notBefore.toISOString();
        status.notAfter = cert.notAfter.toISOString();
        status.expirySeconds = Math.floor((cert.notAfter.getTime() - now) / 1000);
      }
      if (entry.nextRefreshAt !== undefined) status.nextRefresh = new Date(entry.nextRefreshAt).toISOString();
      if (entry.lastError !== undefined) status.lastError = entry.lastError;
      out.push(status);
    }
    return out;
  }

  /** True when every tracked identity has a valid certificate. */
  allValid(): boolean {
    for (const identity of this.entries.keys()) if (!this.get(identity)) return false;
    return true;
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
    this.entries.clear();
    this.listeners.clear();
  }

  private add(identity: string): Entry {
    const entry: Entry = {
      identity,
      current: undefined,
      inFlight: undefined,
      timer: undefined,
      nextRefreshAt: undefined,
      backoff: new Backoff(this.options.backoff ?? CERTIFICATE_BACKOFF, this.options.random),
      rotations: 0,
      lastError: undefined,
    };
    this.entries.set(identity, entry);
    return entry;
  }

  private refresh(entry: Entry): Promise<WorkloadCertificate> {
    if (this.stopped) return Promise.reject(new Error('the certificate manager is stopped'));
    entry.inFlight ??= this.fetch(entry).finally(() => {
      entry.inFlight = undefined;
    });
    return entry.inFlight;
  }

  private async fetch(entry: Entry): Promise<WorkloadCertificate> {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.nextRefreshAt = undefined;
    try {
      const { keyPem, csrPem } = await generateKeyAndCsr(entry.identity);
      const chain = await this.options.provider.fetch(entry.identity, csrPem);
      const cert = acceptCertificate(entry.identity, keyPem, chain);
      if (this.entries.get(entry.identity) !== entry) return cert;
      if (entry.current) entry.rotations++;
      entry.current = cert;
      entry.lastError = undefined;
      entry.backoff.reset();
      const start = Math.max(cert.notBefore.getTime(), cert.issuedAt.getTime());
      this.schedule(entry, start + (cert.notAfter.getTime() - start) * this.renewAt);
      this.options.logger?.info(
        { identity: entry.identity, serial: cert.serialNumber, notAfter: cert.notAfter.toISOString() },
        'workload certificate issued',
      );
      for (const listener of this.listeners) listener(cert);
      return cert;
    } catch (error) {
      if (this.entries.get(entry.identity) === entry && !this.stopped) {
        entry.lastError = (error as Error).message;
        const delay = entry.backoff.next();
        this.schedule(entry, Date.now() + delay);
        this.options.logger?.warn(
          { identity: entry.identity, error: entry.lastError, retryInMs: delay, stillValid: this.get(entry.identity) !== undefined },
          'workload certificate request failed',
        );
      }
      throw error;
    }
  }

  private schedule(entry: Entry, at: number): void {
    if (this.stopped) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.nextRefreshAt = at;
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined;
        if (this.entries.get(entry.identity) === entry) this.refresh(entry).catch(() => undefined);
      },
      Math.max(0, at - Date.now()),
    );
    entry.timer.unref();
  }
}
