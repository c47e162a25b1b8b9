/**
 * A PKCS#10 certificate request (RFC 2986) for a workload key, written as DER by hand: an empty
 * subject, the SPIFFE URI as the only Subject Alternative Name, signed ECDSA P-256 with SHA-256.
 * This is all a proxy ever asks a CA for; building it with node:crypto alone keeps a full X.509
 * library (~15 MiB of RSS) out of every ztunnel.
 */
import { type KeyObject, sign } from 'node:crypto';

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OBJECT_IDENTIFIER = 0x06;
/** [0] IMPLICIT, constructed: the attributes of CertificationRequestInfo. */
const ATTRIBUTES = 0xa0;
/** [6] IMPLICIT IA5String: a GeneralName's uniformResourceIdentifier. */
const URI_NAME = 0x86;

/** 1.2.840.113549.1.9.14 pkcs-9-at-extensionRequest */
const EXTENSION_REQUEST = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e]);
/** 2.5.29.17 id-ce-subjectAltName */
const SUBJECT_ALT_NAME = Buffer.from([0x55, 0x1d, 0x11]);
/** 1.2.840.10045.4.3.2 ecdsa-with-SHA256 */
const ECDSA_WITH_SHA256 = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);

/** One DER element: tag, definite length, content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else throw new RangeError(`DER element of ${length} bytes is larger than a CSR ever is`);
  return Buffer.concat([header, body]);
}

/** A DER PKCS#10 request for `uri` (a SPIFFE ID), signed with the P-256 `privateKey` whose public half is `publicKey`. */
export function createCsrDer(uri: string, privateKey: KeyObject, publicKey: KeyObject): Buffer {
  if (!/^[\x21-\x7e]+$/.test(uri)) throw new RangeError(`not an ASCII URI: ${JSON.stringify(uri)}`);
  const subjectAltName = der(SEQUENCE, der(URI_NAME, Buffer.from(uri, 'ascii')));
  const extensions = der(SEQUENCE, der(SEQUENCE, der(OBJECT_IDENTIFIER, SUBJECT_ALT_NAME), der(OCTET_STRING, subjectAltName)));
  const info = der(
    SEQUENCE,
    der(INTEGER, Buffer.from([0])),
    der(SEQUENCE), // empty subject: the identity is the URI SAN, as Istio's CSRs do
    publicKey.export({ type: 'spki', format: 'der' }),
    der(ATTRIBUTES, der(SEQUENCE, der(OBJECT_IDENTIFIER, EXTENSION_REQUEST), der(SET, extensions))),
  );
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  return der(SEQUENCE, info, der(SEQUENCE, der(OBJECT_IDENTIFIER, ECDSA_WITH_SHA256)), der(BIT_STRING, Buffer.from([0]), signature));
}

/** PEM armour for DER bytes (`label` e.g. `CERTIFICATE REQUEST`), 64 characters a line. */
export function toPem(label: string, derBytes: Buffer): string {
  const body = derBytes.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
