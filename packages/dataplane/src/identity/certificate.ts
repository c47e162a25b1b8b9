import { createPrivateKey, generateKeyPair, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { AmbitError } from '@ambit/shared/errors';
import { createCsrDer, toPem } from './csr';

/**
 * A workload's certificate as the proxy holds it: a fresh ECDSA P-256 key, the chain the CA
 * returned (leaf first), and what the TLS layer and the rotation schedule need to know.
 */

export interface WorkloadCertificate {
  /** The SPIFFE URI the leaf certifies. */
  readonly identity: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** The CA's response: leaf first, root last. */
  readonly chainPem: readonly string[];
  /** Leaf and intermediates, what a TLS peer is sent (the root it already has). */
  readonly certPem: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** When this proxy received it; rotation counts the lifetime from here, as CAs backdate notBefore. */
  readonly issuedAt: Date;
}

/** What a certificate request carries: the key that stays here, and the CSR that goes to the CA. */
export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

const generateEcKeyPair = promisify(generateKeyPair);

/** A new P-256 key and a CSR whose only name is the SPIFFE URI SAN `identity`. */
export async function generateKeyAndCsr(identity: string): Promise<KeyAndCsr> {
  const { privateKey, publicKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    csrPem: toPem('CERTIFICATE REQUEST', createCsrDer(identity, privateKey, publicKey)),
  };
}

/**
 * Checks what the CA returned against what was asked: a readable chain whose leaf names exactly
 * `identity`, carries our key, and is valid now.
 */
export function acceptCertificate(identity: string, keyPem: string, chainPem: readonly string[], now = new Date()): WorkloadCertificate {
  const leafPem = chainPem[0];
  if (!leafPem) throw new AmbitError('Unavailable', `the CA returned an empty certificate chain for ${identity}`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (error) {
    throw new AmbitError('Unavailable', `the CA returned an unreadable certificate for ${identity}: ${(error as Error).message}`);
  }
  const uris = uriSans(leaf.subjectAltName);
  if (uris.length !== 1 || uris[0] !== identity) {
    throw new AmbitError('Unavailable', `the CA returned a certificate for ${uris.join(', ') || 'no URI SAN'}, not for ${identity}`);
  }
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new AmbitError('Unavailable', `the certificate the CA returned for ${identity} does not carry the key this proxy generated`);
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new AmbitError('Unavailable', `the CA returned a certificate for ${identity} that expired at ${notAfter.toISOString()}`);
  }
  const withoutRoot = chainPem.length > 1 ? chainPem.slice(0, -1) : chainPem;
  return Object.freeze({
    identity,
    keyPem,
    chainPem: Object.freeze([...chainPem]),
    certPem: withoutRoot.map(ensureTrailingNewline).join(''),
    serialNumber: leaf.serialNumber,
    notBefore,
    notAfter,
    issuedAt: now,
  });
}

/** URI entries of a SAN string as Node prints it (`URI:spiffe://..., DNS:x`; quoted when unusual). */
export function uriSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const out: string[] = [];
  for (const entry of subjectAltName.split(', ')) {
    if (!entry.startsWith('URI:')) continue;
    const value = entry.slice(4);
    out.push(value.startsWith('"') ? (JSON.parse(value) as string) : value);
  }
  return out;
}

function ensureTrailingNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
