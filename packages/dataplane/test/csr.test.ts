import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyAndCsr } from '../src/identity/certificate';
import { createCsrDer, toPem } from '../src/identity/csr';
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from './fixtures/x509';

const IDENTITY = 'spiffe://cluster.local/ns/shop/sa/cart';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `openssl req -verify` on the PEM; returns its text dump. OpenSSL 3.0 exits 0 on a bad signature, so this reads its verdict. */
function opensslVerify(csrPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ambit-csr-'));
  dirs.push(dir);
  const file = join(dir, 'request.csr');
  writeFileSync(file, csrPem);
  const result = spawnSync('openssl', ['req', '-in', file, '-noout', '-verify', '-text'], { encoding: 'utf8' });
  if (result.status !== 0 || !/verify OK/.test(`${result.stdout}${result.stderr}`)) {
    throw new Error(`openssl refused the request: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

describe('hand-written PKCS#10 request', () => {
  it('is a request openssl verifies, for a P-256 key, signed ECDSA-SHA256, naming only the SPIFFE URI', async () => {
    const { csrPem } = await generateKeyAndCsr(IDENTITY);
    const text = opensslVerify(csrPem);
    expect(text).toMatch(/ASN1 OID: prime256v1/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).toContain(`URI:${IDENTITY}`);
    expect(text).not.toMatch(/DNS:|IP Address:|email:/);

    // An independent DER parser reads the same thing: one SAN, the URI, and a valid signature.
    const csr = new Pkcs10CertificateRequest(csrPem);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('');
    const names = csr.extensions.flatMap((extension) => new SubjectAlternativeNameExtension(extension.rawData).names.items);
    expect(names.map((name) => [name.type, name.value])).toEqual([['url', IDENTITY]]);
  });

  it('carries the public half of the key it returns', async () => {
    const { keyPem, csrPem } = await generateKeyAndCsr(IDENTITY);
    const dir = mkdtempSync(join(tmpdir(), 'ambit-csr-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'request.csr'), csrPem);
    writeFileSync(join(dir, 'key.pem'), keyPem);
    const fromCsr = execFileSync('openssl', ['req', '-in', join(dir, 'request.csr'), '-noout', '-pubkey'], { encoding: 'utf8' });
    const fromKey = execFileSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout'], { encoding: 'utf8' });
    expect(fromCsr).toBe(fromKey);
  });

  it('encodes long URIs (multi-byte DER lengths) and is refused by openssl once tampered with', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const long = `spiffe://cluster.local/ns/${'n'.repeat(60)}/sa/${'s'.repeat(200)}`;
    const der = createCsrDer(long, privateKey, publicKey);
    expect(opensslVerify(toPem('CERTIFICATE REQUEST', der))).toContain(`URI:${long}`);

    const tampered = Buffer.from(der);
    const at = tampered.indexOf(Buffer.from('/sa/'));
    tampered[at + 4] = 'x'.charCodeAt(0);
    expect(() => opensslVerify(toPem('CERTIFICATE REQUEST', tampered))).toThrow(/verify failure/);
  });

  it('refuses a URI that is not printable ASCII', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => createCsrDer('spiffe://cluster.local/ns/ü/sa/x', privateKey, publicKey)).toThrow(RangeError);
  });
});
