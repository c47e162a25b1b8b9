/**
 * Helpers for the CA's tests: CSRs as a workload proxy would make them, Istio-style plug-in certs
 * made by openssl, an independent `openssl verify`, temporary directories and a log to read back.
 */
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino, { type Logger } from 'pino';
import { PemConverter, Pkcs10CertificateRequest, Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from './x509';

const run = promisify(execFile);

export type TestKeyKind = 'p256' | 'p384' | 'rsa';

const KEY_PARAMS: Record<
  TestKeyKind,
  { generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams; sign: webcrypto.EcdsaParams | webcrypto.Algorithm }
> = {
  p256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams },
  p384: { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams },
  rsa: {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

/** A PEM CSR with the given URI (and DNS) SANs, signed by a fresh key of the given kind. */
export async function makeCsr(options: { uris?: string[]; dnsNames?: string[]; key?: TestKeyKind } = {}): Promise<string> {
  const params = KEY_PARAMS[options.key ?? 'p256'];
  const keys = (await webcrypto.subtle.generateKey(params.generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = [
    ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  const csr = await Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: params.sign,
    extensions: names.length > 0 ? [new SubjectAlternativeNameExtension(names)] : [],
  });
  return csr.toString('pem');
}

/** The CSR with `from` replaced by `to` (same length) inside its signed bytes: a request altered on the way. */
export function tamperCsr(pem: string, from: string, to: string): string {
  if (from.length !== to.length) throw new Error('tamperCsr keeps the DER lengths: from and to must be the same length');
  const der = Buffer.from(PemConverter.decodeFirst(pem));
  const at = der.indexOf(from, 0, 'latin1');
  if (at < 0) throw new Error(`"${from}" is not in the CSR`);
  der.write(to, at, 'latin1');
  return new Pkcs10CertificateRequest(der).toString('pem');
}

/** A fresh directory under the OS temp dir; `remove` deletes it and all it holds. */
export async function makeTempDir(prefix = 'ambit-ca-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Checks a chain (leaf first, root last) with `openssl verify`, a verifier nobody here wrote.
 * Resolves to openssl's output; rejects with it when the chain does not verify.
 */
export async function opensslVerify(chain: readonly string[], purpose?: 'sslserver' | 'sslclient'): Promise<string> {
  const dir = await makeTempDir('ambit-openssl-');
  try {
    const leaf = join(dir.path, 'leaf.pem');
    const root = join(dir.path, 'root.pem');
    const untrusted = join(dir.path, 'untrusted.pem');
    await writeFile(leaf, chain[0] ?? '');
    await writeFile(root, chain[chain.length - 1] ?? '');
    const intermediates = chain.slice(1, -1);
    await writeFile(untrusted, intermediates.join(''));
    const args = ['verify', '-CAfile', root, ...(intermediates.length > 0 ? ['-untrusted', untrusted] : [])];
    const { stdout } = await run('openssl', [...args, ...(purpose ? ['-purpose', purpose] : []), leaf]);
    return stdout;
  } finally {
    await dir.remove();
  }
}

/** openssl's text dump of a PEM certificate. */
export async function opensslText(pem: string): Promise<string> {
  const dir = await makeTempDir('ambit-openssl-');
  try {
    const file = join(dir.path, 'cert.pem');
    await writeFile(file, pem);
    return (await run('openssl', ['x509', '-in', file, '-noout', '-text'])).stdout;
  } finally {
    await dir.remove();
  }
}

/**
 * Writes Istio-style plug-in certs into `dir` the way Istio's tools do, with openssl: an external
 * root, an intermediate signed by it (`ca-cert.pem`, `ca-key.pem`), and cert-chain.pem = ca-cert + root.
 * `caKey: 'rsa'` writes a PKCS#1 RSA key, as older Istio instructions produce.
 */
export async function makePluginCerts(dir: string, options: { caKey?: 'ec' | 'rsa' } = {}): Promise<void> {
  const at = (name: string) => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-nodes',
    '-keyout',
    at('root-key.pem'),
    '-out',
    at('root-cert.pem'),
    '-days',
    '3650',
    '-subj',
    '/O=Example Corp/CN=Example Root CA',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  if (options.caKey === 'rsa') {
    await run('openssl', ['genrsa', '-traditional', '-out', at('ca-key.pem'), '2048']);
    await run('openssl', [
      'req',
      '-new',
      '-key',
      at('ca-key.pem'),
      '-out',
      at('ca.csr'),
      '-subj',
      '/O=Istio/CN=Intermediate CA/L=cluster1',
    ]);
  } else {
    await run('openssl', [
      'req',
      '-new',
      ...ecKey,
      '-nodes',
      '-keyout',
      at('ca-key.pem'),
      '-out',
      at('ca.csr'),
      '-subj',
      '/O=Istio/CN=Intermediate CA/L=cluster1',
    ]);
  }
  await writeFile(
    at('ca.ext'),
    [
      'basicConstraints=critical,CA:true,pathlen:0',
      'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment,keyCertSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('ca.csr'),
    '-CA',
    at('root-cert.pem'),
    '-CAkey',
    at('root-key.pem'),
    '-CAcreateserial',
    '-out',
    at('ca-cert.pem'),
    '-days',
    '730',
    '-sha256',
    '-extfile',
    at('ca.ext'),
  ]);
  const chain = (await readFile(at('ca-cert.pem'), 'utf8')) + (await readFile(at('root-cert.pem'), 'utf8'));
  await writeFile(at('cert-chain.pem'), chain);
  // The external root's key stays with its owner, never beside the plug-in certs.
  await rm(at('root-key.pem'));
}

/** A pino logger whose JSON lines can be read back, and the raw text to search for leaks. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}
