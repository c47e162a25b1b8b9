/**
 * The certificate and key that sign workload certificates, with the chain up to the root.
 * Whether it is our own generated root or an operator's intermediate, it is checked the same way:
 * the key matches the certificate, the certificate may sign, and each link is signed by the next.
 */
import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { AmbitError } from '@ambit/shared/errors';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, PemConverter, X509Certificate } from './x509';

export interface SigningCert {
  /** The certificate whose subject becomes the issuer of every leaf. */
  readonly cert: X509Certificate;
  readonly key: webcrypto.CryptoKey;
  /** WebCrypto algorithm for signing with `key` (hash included). */
  readonly signingAlgorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
  /** PEM of `cert`, any intermediates above it and the root, in that order (root last). */
  readonly chainPem: readonly string[];
}

export interface SigningCertSource {
  certPem: string;
  keyPem: string;
  /** Certificates above `cert`, nearest first; the root comes last. Empty when `cert` is the root. */
  parents: readonly { pem: string; file: string }[];
  /** Names the files in error messages, e.g. `/etc/cacerts/ca-cert.pem`. */
  certFile: string;
  keyFile: string;
}

export async function loadSigningCert(source: SigningCertSource): Promise<SigningCert> {
  const cert = parseCertificate(source.certPem, source.certFile);
  const keyObject = parsePrivateKey(source.keyPem, source.keyFile);
  if (!keyMatchesCertificate(keyObject, cert)) {
    throw invalid(`${source.keyFile} does not match ${source.certFile}: the key is not the certificate's private key`);
  }
  assertMaySignCertificates(cert, source.certFile);
  const parents = source.parents.map((parent) => parseCertificate(parent.pem, parent.file));
  const chain = [cert, ...parents];
  await assertChainLinks(chain, source.certFile);

  const { importAlgorithm, signingAlgorithm } = signingAlgorithmFor(keyObject, source.keyFile);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlgorithm, false, ['sign']);
  return { cert, key, signingAlgorithm, chainPem: chain.map(toPem) };
}

export function toPem(cert: X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** Splits a PEM bundle into one PEM string per certificate. */
export function splitPemCertificates(bundle: string): string[] {
  return PemConverter.decodeWithHeaders(bundle)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => `${PemConverter.encode(block.rawData, 'CERTIFICATE')}\n`);
}

function parseCertificate(pem: string, file: string): X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`${file} holds no PEM certificate`);
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw invalid(`${file} is not a readable X.509 certificate: ${(error as Error).message}`);
  }
}

function parsePrivateKey(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw invalid(`${file} is not a readable unencrypted PEM private key: ${(error as Error).message}`);
  }
}

function keyMatchesCertificate(key: KeyObject, cert: X509Certificate): boolean {
  const certKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  return createPublicKey(key).equals(certKey);
}

function assertMaySignCertificates(cert: X509Certificate, file: string): void {
  const constraints = cert.getExtension(BasicConstraintsExtension);
  if (!constraints?.ca) throw invalid(`${file} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  const usages = cert.getExtension(KeyUsagesExtension);
  if (usages && (usages.usages & KeyUsageFlags.keyCertSign) === 0) {
    throw invalid(`${file} may not sign certificates (its keyUsage lacks keyCertSign)`);
  }
  const now = Date.now();
  if (cert.notAfter.getTime() <= now) throw invalid(`${file} expired on ${cert.notAfter.toISOString()}`);
  if (cert.notBefore.getTime() > now) throw invalid(`${file} is not valid before ${cert.notBefore.toISOString()}`);
}

/** Each certificate is signed by the next one, and the last one, the root, by itself. */
async function assertChainLinks(chain: readonly X509Certificate[], file: string): Promise<void> {
  for (let i = 0; i < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] ?? child;
    const signed = await child.verify({ publicKey: parent.publicKey, signatureOnly: true }).catch(() => false);
    if (!signed) {
      throw invalid(
        parent === child
          ? `the root certificate (${child.subject}) is not self-signed`
          : `the chain from ${file} is broken: "${child.subject}" is not signed by "${parent.subject}"`,
      );
    }
  }
}

function signingAlgorithmFor(
  key: KeyObject,
  file: string,
): {
  importAlgorithm: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  signingAlgorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
} {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') {
      return { importAlgorithm: { name: 'ECDSA', namedCurve: 'P-256' }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } };
    }
    if (curve === 'secp384r1') {
      return { importAlgorithm: { name: 'ECDSA', namedCurve: 'P-384' }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } };
    }
    throw invalid(`${file} is an EC key on curve ${curve ?? 'unknown'}; the CA signs with P-256, P-384 or RSA keys`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { importAlgorithm: algorithm, signingAlgorithm: algorithm };
  }
  throw invalid(`${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; the CA signs with P-256, P-384 or RSA keys`);
}

function invalid(message: string): AmbitError {
  return new AmbitError('InvalidArgument', message);
}
