import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { isIPv6 } from 'node:net';
import tls from 'node:tls';
import type { WorkloadCertificate } from '../identity/certificate';
import { CONNECTION_WINDOW_BYTES, HBONE_ALPN, HBONE_SETTINGS, MAX_SESSION_MEMORY_MB, TLS_VERSION } from './protocol';
import { expectServerIdentity, serverNameFor, type TlsContexts } from './tls';

/**
 * The HBONE client: one mutual-TLS HTTP/2 session to a peer (a node's ztunnel or a waypoint), and
 * CONNECT streams on it, one per application connection.
 */

export interface HboneSessionOptions {
  address: string;
  port: number;
  /** The local workload's certificate, presented as the client certificate. */
  certificate: WorkloadCertificate;
  contexts: TlsContexts;
  /** Identities the server may present; anything else aborts the handshake. */
  expectedIdentities: readonly string[];
  /** Fails the session if TLS and HTTP/2 are not up by then; default 10 s. */
  connectTimeoutMs?: number;
}

/** Starts a session; it emits 'connect' once the server is verified and HTTP/2 is up, or 'error'. */
export function connectHboneSession(options: HboneSessionOptions): ClientHttp2Session {
  const host = isIPv6(options.address) ? `[${options.address}]` : options.address;
  const session = http2.connect(`https://${host}:${options.port}`, {
    settings: HBONE_SETTINGS,
    maxSessionMemory: MAX_SESSION_MEMORY_MB,
    createConnection: () => {
      const socket = tls.connect({
        host: options.address,
        port: options.port,
        servername: serverNameFor(options.expectedIdentities[0] ?? ''),
        secureContext: options.contexts.contextFor(options.certificate),
        ALPNProtocols: [...HBONE_ALPN],
        minVersion: TLS_VERSION,
        maxVersion: TLS_VERSION,
        rejectUnauthorized: true,
        checkServerIdentity: expectServerIdentity(options.expectedIdentities),
      });
      socket.setNoDelay(true);
      return socket;
    },
  });
  const timeout = setTimeout(() => {
    session.destroy(new Error(`HBONE connect to ${options.address}:${options.port} timed out`));
  }, options.connectTimeoutMs ?? 10_000);
  timeout.unref();
  session.once('connect', () => {
    clearTimeout(timeout);
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
  });
  session.once('close', () => clearTimeout(timeout));
  return session;
}

export interface TunnelRequest {
  /** `ip:port` of the destination workload, or the original `VIP:port` when going to a waypoint. */
  authority: string;
  forwarded?: string;
  baggage?: string;
  traceparent?: string;
}

/** Opens one CONNECT stream; the caller waits for 'response' with `:status` 200 before sending data. */
export function openTunnel(session: ClientHttp2Session, request: TunnelRequest): ClientHttp2Stream {
  const headers: OutgoingHttpHeaders = { ':method': 'CONNECT', ':authority': request.authority };
  if (request.forwarded !== undefined) headers.forwarded = request.forwarded;
  if (request.baggage !== undefined) headers.baggage = request.baggage;
  if (request.traceparent !== undefined) headers.traceparent = request.traceparent;
  return session.request(headers, { endStream: false });
}
