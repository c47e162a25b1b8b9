/**
 * The control plane's own TLS certificate, for its secure gRPC port (Istio's 15012). Unlike a
 * workload certificate it carries DNS and IP names besides its SPIFFE id, because clients dial the
 * control plane by name or address and check those; it is for serving only (serverAuth), and the
 * CA makes its key itself, since the certificate never leaves the control plane's process.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { AmbitError } from '@ambit/shared/errors';
import { spiffeUri } from '@ambit/shared/spiffe';
import { BACKDATE_MS, signingKeyIdentifier } from './issuer';
import { type SigningCert, toPem } from './signing-cert';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type JsonGeneralName,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from './x509';

/** Istio's names for istiod, so clients configured for Istio check the same ones. */
export const CONTROL_PLANE_NAMESPACE = 'istio-system';
export const CONTROL_PLANE_SERVICE_ACCOUNT = 'istiod';
export const DEFAULT_SERVING_DNS_NAMES: readonly string[] = ['istiod.istio-system.svc', 'localhost'];
export const DEFAULT_SERVING_IP_ADDRESSES: readonly string[] = ['127.0.0.1'];
/** Lifetime of a serving certificate unless asked otherwise: the same 24 h as workload certificates. */
export const DEFAULT_SERVING_TTL_SECONDS = 24 * 3600;

export interface ServingCertificateRequest {
  /** Default DEFAULT_SERVING_DNS_NAMES. */
  dnsNames?: readonly string[];
  /** IPv4 or IPv6 literals; default DEFAULT_SERVING_IP_ADDRESSES. */
  ipAddresses?: readonly string[];
  /** Default DEFAULT_SERVING_TTL_SECONDS; never beyond the signing certificate's own expiry. */
  ttlSeconds?: number;
}

export interface ServingCertificate {
  /** `spiffe://<trust-domain>/ns/istio-system/sa/istiod`. */
  identity: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  /** PEM certificates: the leaf first, the root last (what a TLS server sends). */
  chain: string[];
  /** PEM PKCS#8 private key of the leaf. */
  privateKeyPem: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** Signs a fresh serving certificate for the control plane with the CA's signing certificate. */
export async function issueServingCertificate(
  signing: SigningCert,
  trustDomain: string,
  request: ServingCertificateRequest = {},
): Promise<ServingCertificate> {
  const dnsNames = [...(request.dnsNames ?? DEFAULT_SERVING_DNS_NAMES)];
  const ipAddresses = [...(request.ipAddresses ?? DEFAULT_SERVING_IP_ADDRESSES)];
  for (const ip of ipAddresses) {
    if (isIP(ip) === 0) throw new AmbitError('InvalidArgument', `serving certificate IP address "${ip}" is not an IPv4 or IPv6 literal`);
  }
  const ttlSeconds = request.ttlSeconds ?? DEFAULT_SERVING_TTL_SECONDS;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new AmbitError('InvalidArgument', `serving certificate lifetime must be a positive number of seconds; got ${ttlSeconds}`);
  }
  const now = Date.now();
  if (signing.cert.notAfter.getTime() <= now) {
    throw new AmbitError(
      'Unavailable',
      `the CA certificate "${signing.cert.subject}" expired on ${signing.cert.notAfter.toISOString()}; replace it and restart`,
    );
  }
  const identity = spiffeUri({ trustDomain, namespace: CONTROL_PLANE_NAMESPACE, serviceAccount: CONTROL_PLANE_SERVICE_ACCOUNT });
  const names: JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    { type: 'url', value: identity },
  ];
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString('hex'),
    issuer: signing.cert.subjectName,
    // No subject, as for workloads: the names are in the SAN, which is then critical.
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + ttlSeconds * 1000, signing.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension(names, true),
      await signingKeyIdentifier(signing),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    identity,
    dnsNames,
    ipAddresses,
    chain: [toPem(leaf), ...signing.chainPem],
    privateKeyPem: `${PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
    serialNumber: leaf.serialNumber,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
  };
}
