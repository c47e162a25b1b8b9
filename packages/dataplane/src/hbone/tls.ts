import { createSecureContext, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { parseSpiffeId, type SpiffeId } from '@ambit/shared/spiffe';
import { uriSans, type WorkloadCertificate } from '../identity/certificate';
import { TLS_VERSION } from './protocol';

/**
 * Mutual TLS for HBONE. Peers are known by the SPIFFE URI SAN of their certificate alone (DNS
 * names are not used), verified against a bundle of trusted roots. A server holds one identity
 * per local workload and picks it by SNI: the client names the identity it expects to reach.
 */

/** Secure contexts per certificate: a renewed certificate is a new object, hence a new context. */
export class TlsContexts {
  private readonly contexts = new WeakMap<WorkloadCertificate, SecureContext>();
  readonly trustBundle: readonly string[];

  constructor(trustBundle: readonly string[]) {
    if (trustBundle.length === 0) throw new Error('HBONE needs a trust bundle with at least one root certificate');
    this.trustBundle = Object.freeze([...trustBundle]);
  }

  contextFor(cert: WorkloadCertificate): SecureContext {
    let context = this.contexts.get(cert);
    if (!context) {
      context = createSecureContext({
        key: cert.keyPem,
        cert: cert.certPem,
        ca: [...this.trustBundle],
        minVersion: TLS_VERSION,
        maxVersion: TLS_VERSION,
      });
      this.contexts.set(cert, context);
    }
    return context;
  }
}

/**
 * The SNI a client sends to reach `identity` (`<sa>.<ns>.<trust-domain>`): a host-name form of
 * the SPIFFE id, since SNI cannot carry a URI. Servers map it back through the identities they hold.
 */
export function serverNameFor(identity: string): string {
  const id = parseSpiffeId(identity);
  return id ? `${id.serviceAccount}.${id.namespace}.${id.trustDomain}` : identity;
}

export interface PeerIdentity {
  /** `spiffe://td/ns/x/sa/y`. */
  uri: string;
  /** `td/ns/x/sa/y`: the form authorization policies match. */
  principal: string;
  id: SpiffeId;
}

/** The peer's identity: the single SPIFFE URI SAN of its certificate; undefined when there is none. */
export function peerIdentityOf(cert: PeerCertificate | undefined): PeerIdentity | undefined {
  if (!cert?.subjectaltname) return undefined;
  const uris = uriSans(cert.subjectaltname);
  if (uris.length !== 1) return undefined;
  const uri = uris[0] as string;
  const id = uri.startsWith('spiffe://') ? parseSpiffeId(uri) : undefined;
  return id ? { uri, principal: uri.slice('spiffe://'.length), id } : undefined;
}

/** The verified identity of a TLS socket's peer, or undefined when the handshake did not authorize one. */
export function verifiedPeerIdentity(socket: TLSSocket): PeerIdentity | undefined {
  if (!socket.authorized) return undefined;
  return peerIdentityOf(socket.getPeerCertificate());
}

export class IdentityMismatchError extends Error {
  readonly code = 'ERR_HBONE_IDENTITY_MISMATCH';
}

/**
 * `checkServerIdentity` for a client: the server must present exactly one of `expected`; runs
 * inside the handshake, so a mismatch destroys the socket before a byte of application data.
 */
export function expectServerIdentity(expected: readonly string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    const peer = peerIdentityOf(cert);
    if (peer && expected.includes(peer.uri)) return undefined;
    const got = peer?.uri ?? (uriSans(cert.subjectaltname).join(', ') || 'no SPIFFE identity');
    return new IdentityMismatchError(`the destination presented ${got}, but ${expected.join(' or ')} was expected`);
  };
}

export function trustDomainOf(identity: string): string | undefined {
  return parseSpiffeId(identity)?.trustDomain;
}
