/**
 * Signs workload certificates: short-lived, ECDSA P-256 leaves whose only name is the workload's
 * SPIFFE id, usable for both sides of mutual TLS, chained up to the root.
 */
import { randomBytes } from 'node:crypto';
import { AmbitError } from '@ambit/shared/errors';
import { readWorkloadCsr, type WorkloadCsr } from './csr';
import { type SigningCert, toPem } from './signing-cert';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from './x509';

export interface TtlPolicy {
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_TTL_POLICY: TtlPolicy = {
  defaultSeconds: 24 * 3600,
  minSeconds: 10,
  maxSeconds: 90 * 24 * 3600,
};

/** Leaves start a minute in the past so that a peer whose clock runs a little behind accepts them. */
export const BACKDATE_MS = 60_000;

export interface IssuedCertificate {
  identity: string;
  /** PEM certificates: the leaf first, the root last. */
  chain: string[];
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface Issuer {
  readonly trustDomain: string;
  readonly rootCertPem: string;
  /** Checks a PEM CSR against what this CA signs; throws InvalidArgument or PermissionDenied. */
  readCsr(pem: string): Promise<WorkloadCsr>;
  /** `ttlSeconds`: 0 or absent for the default; above the maximum it is cut to the maximum. */
  sign(csr: WorkloadCsr, ttlSeconds?: number): Promise<IssuedCertificate>;
}

export async function createIssuer(signing: SigningCert, trustDomain: string, ttl: TtlPolicy = DEFAULT_TTL_POLICY): Promise<Issuer> {
  const authorityKeyId = await signingKeyIdentifier(signing);
  return {
    trustDomain,
    rootCertPem: signing.chainPem[signing.chainPem.length - 1] as string,
    readCsr: (pem) => readWorkloadCsr(pem, trustDomain),
    async sign(csr, ttlSeconds) {
      const now = Date.now();
      if (signing.cert.notAfter.getTime() <= now) {
        throw new AmbitError(
          'Unavailable',
          `the CA certificate "${signing.cert.subject}" expired on ${signing.cert.notAfter.toISOString()}; replace it and restart`,
        );
      }
      const lifetimeMs = resolveTtlSeconds(ttlSeconds, ttl) * 1000;
      // A leaf never outlives the certificate that signed it.
      const notAfter = new Date(Math.min(now + lifetimeMs, signing.cert.notAfter.getTime()));
      const notBefore = new Date(now - BACKDATE_MS);
      const leaf = await X509CertificateGenerator.create({
        serialNumber: randomBytes(16).toString('hex'),
        issuer: signing.cert.subjectName,
        // The subject stays empty, as in Istio: the identity is the SAN alone, which is then critical.
        notBefore,
        notAfter,
        publicKey: csr.publicKey,
        signingKey: signing.key,
        signingAlgorithm: signing.signingAlgorithm,
        extensions: [
          new BasicConstraintsExtension(false, undefined, true),
          new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
          new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
          new SubjectAlternativeNameExtension([{ type: 'url', value: csr.identity }], true),
          authorityKeyId,
        ],
      });
      return {
        identity: csr.identity,
        chain: [toPem(leaf), ...signing.chainPem],
        serialNumber: leaf.serialNumber,
        notBefore: leaf.notBefore,
        notAfter: leaf.notAfter,
      };
    },
  };
}

export function resolveTtlSeconds(requested: number | undefined, policy: TtlPolicy = DEFAULT_TTL_POLICY): number {
  if (requested === undefined || requested === 0) return policy.defaultSeconds;
  if (!Number.isFinite(requested) || requested < 0) {
    throw new AmbitError('InvalidArgument', `validity_duration must be a positive number of seconds; got ${requested}`);
  }
  if (requested < policy.minSeconds) {
    throw new AmbitError('InvalidArgument', `validity_duration ${requested}s is shorter than the minimum of ${policy.minSeconds}s`);
  }
  return Math.min(Math.floor(requested), policy.maxSeconds);
}

/** The leaf's authority key id is the signer's subject key id, so chain builders find the signer. */
export async function signingKeyIdentifier(signing: SigningCert): Promise<AuthorityKeyIdentifierExtension> {
  const subjectKeyId = signing.cert.getExtension(SubjectKeyIdentifierExtension);
  return subjectKeyId
    ? new AuthorityKeyIdentifierExtension(subjectKeyId.keyId)
    : AuthorityKeyIdentifierExtension.create(signing.cert.publicKey);
}
