import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { connectHboneSession, openTunnel, type TunnelRequest } from '../hbone/client';
import { STREAMS_PER_SESSION } from '../hbone/protocol';
import type { TlsContexts } from '../hbone/tls';
import type { WorkloadCertificate } from '../identity/certificate';
import type { CertificateStore } from '../identity/manager';

/**
 * HBONE sessions shared by application connections: one HTTP/2 session per (source identity,
 * destination identity, destination address) carries up to 100 CONNECT streams; a full session
 * gets a sibling, an idle one is released after 5 minutes, a dead one is dropped so the next
 * stream reconnects. A session made with a certificate that has since been renewed takes no new
 * streams and closes once its last stream ends.
 */

export interface PoolOptions {
  certificates: CertificateStore;
  contexts: TlsContexts;
  maxStreamsPerSession?: number;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface HboneDestination {
  /** Where the peer accepts HBONE: a node's ztunnel or a waypoint. */
  address: string;
  port: number;
  /** The identity the peer must present. */
  identity: string;
}

export interface PoolStats {
  sessions: number;
  streams: number;
  /** Sessions opened since the pool started. */
  connects: number;
}

class PooledSession {
  streams = 0;
  ready = false;
  draining = false;
  idleTimer: NodeJS.Timeout | undefined;
  readonly connected: Promise<void>;

  constructor(
    readonly key: string,
    readonly session: ClientHttp2Session,
    readonly certificate: WorkloadCertificate,
  ) {
    this.connected = new Promise<void>((resolve, reject) => {
      session.once('connect', () => {
        this.ready = true;
        resolve();
      });
      session.once('error', reject);
      session.once('close', () => reject(new Error('HBONE session closed before it was ready')));
    });
    // Rejections reach callers through `connected`; a session nobody waits on must not crash the process.
    this.connected.catch(() => undefined);
  }

  /** Streams this session may still take. */
  capacity(limit: number): number {
    const remote = this.ready ? this.session.remoteSettings.maxConcurrentStreams : undefined;
    return Math.min(limit, remote ?? limit) - this.streams;
  }

  usable(certificate: WorkloadCertificate, limit: number): boolean {
    return (
      !this.draining && this.certificate === certificate && !this.session.destroyed && !this.session.closed && this.capacity(limit) > 0
    );
  }
}

export class HbonePool {
  private readonly pools = new Map<string, PooledSession[]>();
  private readonly limit: number;
  private readonly idleTimeoutMs: number;
  private connects = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.limit = options.maxStreamsPerSession ?? STREAMS_PER_SESSION;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
  }

  /** Opens a CONNECT stream from `sourceIdentity` to `destination`; the caller awaits its response. */
  async open(sourceIdentity: string, destination: HboneDestination, request: TunnelRequest): Promise<ClientHttp2Stream> {
    const certificate = this.options.certificates.get(sourceIdentity) ?? (await this.options.certificates.acquire(sourceIdentity));
    if (this.closed) throw new Error('the HBONE pool is closed');
    const pooled = this.checkout(sourceIdentity, destination, certificate);
    try {
      if (!pooled.ready) await pooled.connected;
      const stream = openTunnel(pooled.session, request);
      stream.once('close', () => this.release(pooled));
      return stream;
    } catch (error) {
      this.release(pooled);
      throw error;
    }
  }

  stats(): PoolStats {
    let sessions = 0;
    let streams = 0;
    for (const list of this.pools.values()) {
      sessions += list.length;
      for (const s of list) streams += s.streams;
    }
    return { sessions, streams, connects: this.connects };
  }

  /** Destroys every session (and so every stream on it). */
  close(): void {
    this.closed = true;
    for (const list of this.pools.values()) {
      for (const s of list) {
        if (s.idleTimer) clearTimeout(s.idleTimer);
        s.session.destroy();
      }
    }
    this.pools.clear();
  }

  private checkout(sourceIdentity: string, destination: HboneDestination, certificate: WorkloadCertificate): PooledSession {
    const key = `${sourceIdentity} ${destination.identity} ${destination.address}:${destination.port}`;
    const existing = this.pools.get(key);
    if (existing) {
      for (let i = 0; i < existing.length; i++) {
        const s = existing[i] as PooledSession;
        if (s.usable(certificate, this.limit)) return this.take(s);
        // A session made with a renewed-away certificate finishes its streams and goes.
        if (s.certificate !== certificate && !s.draining) {
          this.drain(s);
          if (existing[i] !== s) i--;
        }
      }
    }
    // Draining may have emptied and dropped the list.
    let list = this.pools.get(key);
    if (!list) {
      list = [];
      this.pools.set(key, list);
    }
    const session = connectHboneSession({
      address: destination.address,
      port: destination.port,
      certificate,
      contexts: this.options.contexts,
      expectedIdentities: [destination.identity],
      connectTimeoutMs: this.options.connectTimeoutMs,
    });
    this.connects++;
    const pooled = new PooledSession(key, session, certificate);
    list.push(pooled);
    session.on('error', () => undefined);
    session.once('goaway', () => this.drain(pooled));
    session.once('close', () => this.remove(pooled));
    return this.take(pooled);
  }

  private take(s: PooledSession): PooledSession {
    s.streams++;
    if (s.idleTimer) {
      clearTimeout(s.idleTimer);
      s.idleTimer = undefined;
    }
    return s;
  }

  private release(s: PooledSession): void {
    s.streams--;
    if (s.streams > 0 || s.session.destroyed) return;
    if (s.draining) {
      s.session.close();
      return;
    }
    s.idleTimer = setTimeout(() => {
      s.idleTimer = undefined;
      this.drain(s);
    }, this.idleTimeoutMs);
    s.idleTimer.unref();
  }

  private drain(s: PooledSession): void {
    s.draining = true;
    if (s.streams === 0 && !s.session.closed) s.session.close();
    this.remove(s);
  }

  private remove(s: PooledSession): void {
    const list = this.pools.get(s.key);
    if (!list) return;
    const at = list.indexOf(s);
    if (at !== -1) list.splice(at, 1);
    if (list.length === 0) this.pools.delete(s.key);
  }
}
