/**
 * The self-signed root the control plane makes on first start and keeps in `<dataDir>/ca`, so
 * that every restart signs with the same root and issued certificates stay trusted.
 */

import { webcrypto } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AmbitError } from '@ambit/shared/errors';
import { caDirOf, writeFileAtomically } from './private-files';
import { loadSigningCert, type SigningCert } from './signing-cert';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from './x509';

export const ROOT_CERT_FILE = 'root-cert.pem';
export const ROOT_KEY_FILE = 'root-key.pem';
const ROOT_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** Loads the root kept in `<dataDir>/ca`, or makes and keeps a new one when there is none. */
export async function loadOrCreateRoot(dataDir: string, trustDomain: string): Promise<SigningCert> {
  const dir = caDirOf(dataDir);
  const certFile = join(dir, ROOT_CERT_FILE);
  const keyFile = join(dir, ROOT_KEY_FILE);
  const [hasCert, hasKey] = await Promise.all([exists(certFile), exists(keyFile)]);
  if (hasCert !== hasKey) {
    const [present, missing] = hasCert ? [certFile, keyFile] : [keyFile, certFile];
    throw new AmbitError(
      'InvalidArgument',
      `found ${present} but not ${missing}: restore the missing file, or remove both to make a new root ` +
        '(every workload certificate signed by the old root then stops being trusted)',
    );
  }
  if (!hasCert) {
    const root = await generateRoot(trustDomain);
    await writeFileAtomically(keyFile, root.keyPem, 0o600);
    await writeFileAtomically(certFile, root.certPem, 0o644);
  }
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return loadSigningCert({ certPem, keyPem, parents: [], certFile, keyFile });
}

async function generateRoot(trustDomain: string): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: [{ O: [trustDomain] }],
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + ROOT_LIFETIME_MS),
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: `${cert.toString('pem')}\n`, keyPem: `${PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n` };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
