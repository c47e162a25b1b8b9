import http2, {
  type Http2SecureServer,
  constants as h2,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { CertificateStore } from '../identity/manager';
import { parseAuthority } from './headers';
import {
  CONNECTION_WINDOW_BYTES,
  HBONE_ALPN,
  HBONE_SETTINGS,
  MAX_SESSION_MEMORY_MB,
  RESERVED_TARGET_PORTS,
  SERVER_MAX_CONCURRENT_STREAMS,
  TLS_VERSION,
} from './protocol';
import { type PeerIdentity, serverNameFor, type TlsContexts, trustDomainOf, verifiedPeerIdentity } from './tls';

/**
 * The HBONE server: terminates mutual TLS (client certificate required, chain checked against the
 * trust bundle, SPIFFE identity in the same trust domain as the identity served), then hands each
 * well-formed CONNECT stream to `onTunnel`. Malformed requests are answered 400 here.
 */

export interface InboundTunnel {
  /** The client's verified SPIFFE URI. */
  readonly peer: PeerIdentity;
  /** The identity this session serves: the one the client asked for by SNI. */
  readonly localIdentity: string;
  readonly targetIp: string;
  readonly targetPort: number;
  /** TCP peer of the session (the source node's ztunnel or a waypoint). */
  readonly remoteAddress: string;
  readonly headers: IncomingHttpHeaders;
}

export type RefusalReason = 'no_client_identity' | 'trust_domain_mismatch' | 'unknown_server_name' | 'not_h2' | 'tls_error';

export interface HboneServerOptions {
  certificates: CertificateStore;
  contexts: TlsContexts;
  onTunnel(stream: ServerHttp2Stream, tunnel: InboundTunnel): void;
  /** Ports that are never valid targets besides 15001/15006/15008 (the ports actually bound). */
  reservedPorts?: ReadonlySet<number>;
  /** A connection refused before any stream (bad client certificate, wrong trust domain...). */
  onRefused?(reason: RefusalReason, remoteAddress: string | undefined, detail: string): void;
  /** A stream answered 400 before reaching `onTunnel`. */
  onBadRequest?(detail: string, remoteAddress: string | undefined): void;
}

interface SessionPeer {
  peer: PeerIdentity;
  localIdentity: string;
  remoteAddress: string;
}

export interface HboneServer {
  readonly server: Http2SecureServer;
  /** Closes the listener and every session at once. */
  close(): Promise<void>;
}

export function createHboneServer(options: HboneServerOptions): HboneServer {
  const sessions = new Map<ServerHttp2Session, SessionPeer>();
  const serverNames = new ServerNames(options.certificates);
  const reserved = options.reservedPorts;

  const server = http2.createSecureServer({
    allowHTTP1: false,
    ALPNProtocols: [...HBONE_ALPN],
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    requestCert: true,
    rejectUnauthorized: true,
    ca: [...options.contexts.trustBundle],
    settings: { ...HBONE_SETTINGS, maxConcurrentStreams: SERVER_MAX_CONCURRENT_STREAMS },
    maxSessionMemory: MAX_SESSION_MEMORY_MB,
    SNICallback: (servername, callback) => {
      const identity = serverNames.identityFor(servername);
      if (!identity) {
        options.onRefused?.('unknown_server_name', undefined, `no local workload identity for server name "${servername}"`);
        callback(new Error(`unknown server name ${servername}`));
        return;
      }
      const cert = options.certificates.get(identity);
      if (cert) {
        callback(null, options.contexts.contextFor(cert));
        return;
      }
      options.certificates.acquire(identity).then(
        (fetched) => callback(null, options.contexts.contextFor(fetched) as SecureContext),
        (error: Error) => callback(error),
      );
    },
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('unknownProtocol', (socket: TLSSocket) => {
    options.onRefused?.('not_h2', socket.remoteAddress, 'the client did not negotiate ALPN h2');
    socket.destroy();
  });
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    options.onRefused?.('tls_error', socket.remoteAddress, error.message);
  });

  server.on('session', (session: ServerHttp2Session) => {
    const socket = session.socket as TLSSocket;
    const remoteAddress = socket.remoteAddress ?? '';
    const peer = verifiedPeerIdentity(socket);
    const localIdentity = serverNames.identityFor(socket.servername || '');
    if (!peer || !localIdentity) {
      options.onRefused?.('no_client_identity', remoteAddress, 'the client certificate carries no single SPIFFE identity');
      session.destroy();
      return;
    }
    if (peer.id.trustDomain !== trustDomainOf(localIdentity)) {
      options.onRefused?.(
        'trust_domain_mismatch',
        remoteAddress,
        `client ${peer.uri} is not in trust domain ${trustDomainOf(localIdentity)} of ${localIdentity}`,
      );
      session.destroy();
      return;
    }
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    sessions.set(session, { peer, localIdentity, remoteAddress });
    session.once('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });

  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const info = sessions.get(stream.session as ServerHttp2Session);
    if (!info) {
      stream.close(h2.NGHTTP2_REFUSED_STREAM);
      return;
    }
    stream.on('error', ignore);
    if (headers[':method'] !== 'CONNECT') {
      badRequest(stream, `${headers[':method']} is not CONNECT`, info.remoteAddress);
      return;
    }
    const target = parseAuthority(headers[':authority']);
    if (!target) {
      badRequest(stream, `:authority "${headers[':authority']}" is not ip:port`, info.remoteAddress);
      return;
    }
    if (RESERVED_TARGET_PORTS.has(target.port) || reserved?.has(target.port)) {
      badRequest(stream, `port ${target.port} is a ztunnel port, never a target`, info.remoteAddress);
      return;
    }
    options.onTunnel(stream, {
      peer: info.peer,
      localIdentity: info.localIdentity,
      targetIp: target.ip,
      targetPort: target.port,
      remoteAddress: info.remoteAddress,
      headers,
    });
  });

  function badRequest(stream: ServerHttp2Stream, detail: string, remoteAddress: string): void {
    options.onBadRequest?.(detail, remoteAddress);
    respondAndEnd(stream, 400);
  }

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions.keys()) session.destroy();
        sessions.clear();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Answers a tunnel request without opening it (400, 401, 503). */
/** Binds the HBONE server; resolves with the bound port (useful when asked for port 0). */
export function listenHbone(hbone: HboneServer, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    hbone.server.once('error', reject);
    hbone.server.listen({ host: address, port }, () => {
      hbone.server.off('error', reject);
      const bound = hbone.server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : port);
    });
  });
}

export function respondAndEnd(stream: ServerHttp2Stream, status: number): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ':status': status }, { endStream: true });
}

function ignore(): void {}

/** Maps SNI names back to the identities this node holds certificates for. */
class ServerNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly certificates: CertificateStore) {}

  identityFor(servername: string): string | undefined {
    const known = this.names.get(servername);
    if (known !== undefined && this.isHeld(known)) return known;
    this.names.clear();
    for (const identity of this.certificates.identities()) this.names.set(serverNameFor(identity), identity);
    return this.names.get(servername);
  }

  private isHeld(identity: string): boolean {
    for (const held of this.certificates.identities()) if (held === identity) return true;
    return false;
  }
}
