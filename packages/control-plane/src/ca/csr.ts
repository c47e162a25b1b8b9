/**
 * Reading a workload's certificate signing request: what it must hold before the CA looks at who
 * may have it. One URI SAN that is a SPIFFE id in the CA's trust domain, an ECDSA P-256 key, and
 * a signature made by that key (so the request was not altered on the way).
 */
import { createPublicKey } from 'node:crypto';
import { AmbitError } from '@ambit/shared/errors';
import { parseSpiffeId, type SpiffeId, spiffeUri } from '@ambit/shared/spiffe';
import { type GeneralName, Pkcs10CertificateRequest, type PublicKey, SubjectAlternativeNameExtension } from './x509';

const SUBJECT_ALT_NAME_OID = '2.5.29.17';
const SPIFFE_FORM = 'spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>';

declare const checked: unique symbol;

/** A request that passed every check below; only `readWorkloadCsr` makes one. */
export interface WorkloadCsr {
  /** The SPIFFE URI the request asks for, e.g. `spiffe://cluster.local/ns/shop/sa/cart`. */
  readonly identity: string;
  readonly spiffeId: SpiffeId;
  readonly publicKey: PublicKey;
  readonly [checked]: true;
}

export async function readWorkloadCsr(pem: string, trustDomain: string): Promise<WorkloadCsr> {
  const csr = parseCsr(pem);
  assertP256Key(csr.publicKey);
  if (!(await csr.verify().catch(() => false))) {
    throw invalid('the CSR signature does not verify: the request was altered, or was not signed with its own key');
  }
  const identity = singleUriSan(csr);
  const spiffeId = parseSpiffeId(identity);
  if (!identity.startsWith('spiffe://') || !spiffeId || spiffeUri(spiffeId) !== identity) {
    throw invalid(`the CSR's URI SAN "${identity}" is not a SPIFFE id of the form ${SPIFFE_FORM}`);
  }
  if (spiffeId.trustDomain !== trustDomain) {
    throw new AmbitError(
      'PermissionDenied',
      `the CSR asks for ${identity} in trust domain "${spiffeId.trustDomain}", but this CA signs only for "${trustDomain}"`,
    );
  }
  return { identity, spiffeId, publicKey: csr.publicKey } as WorkloadCsr;
}

function parseCsr(pem: string): Pkcs10CertificateRequest {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    throw invalid('csr must be a PEM-encoded PKCS#10 certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  }
  try {
    return new Pkcs10CertificateRequest(pem);
  } catch (error) {
    throw invalid(`csr is not a readable PKCS#10 certificate request: ${(error as Error).message}`);
  }
}

function assertP256Key(publicKey: PublicKey): void {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: Buffer.from(publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw invalid('the CSR public key is not readable; workload certificates need an ECDSA P-256 key');
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return;
  const found = type === 'ec' ? `an EC key on curve ${curve ?? 'unknown'}` : `an ${(type ?? 'unknown').toUpperCase()} key`;
  throw invalid(`the CSR carries ${found}; workload certificates need an ECDSA P-256 key`);
}

function singleUriSan(csr: Pkcs10CertificateRequest): string {
  let names: readonly GeneralName[];
  try {
    names = csr
      .getExtensions(SUBJECT_ALT_NAME_OID)
      .flatMap((extension) => new SubjectAlternativeNameExtension(extension.rawData).names.items);
  } catch (error) {
    throw invalid(`the CSR's subject alternative names are not readable: ${(error as Error).message}`);
  }
  const [only] = names;
  if (names.length !== 1 || only?.type !== 'url') {
    const found = names.length === 0 ? 'none' : names.map((name) => `${name.type}:${name.value}`).join(', ');
    throw invalid(`the CSR must carry exactly one subject alternative name, a URI with the workload's SPIFFE id; found ${found}`);
  }
  return only.value;
}

function invalid(message: string): AmbitError {
  return new AmbitError('InvalidArgument', message);
}
