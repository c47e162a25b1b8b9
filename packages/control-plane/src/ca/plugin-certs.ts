/**
 * An operator-supplied signing certificate, laid out like Istio's plug-in `cacerts`: an
 * intermediate (`ca-cert.pem`, `ca-key.pem`) signed by an external root (`root-cert.pem`), with
 * `cert-chain.pem` holding the intermediate's chain (Istio's tools write ca-cert + root there).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AmbitError } from '@ambit/shared/errors';
import { loadSigningCert, type SigningCert, splitPemCertificates } from './signing-cert';
import { X509Certificate } from './x509';

export const PLUGIN_CERT_FILES = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;

export async function loadPluginCerts(dir: string): Promise<SigningCert> {
  const contents = await Promise.all(PLUGIN_CERT_FILES.map((name) => readFile(join(dir, name), 'utf8').catch(() => undefined)));
  const missing = PLUGIN_CERT_FILES.filter((_, i) => contents[i] === undefined);
  if (missing.length > 0) {
    throw new AmbitError(
      'InvalidArgument',
      `plug-in CA certificates in ${dir} are incomplete: missing or unreadable ${missing.join(', ')} ` +
        `(expected ${PLUGIN_CERT_FILES.join(', ')})`,
    );
  }
  const [caCertPem, caKeyPem, rootCertPem, certChainPem] = contents as [string, string, string, string];

  const roots = splitPemCertificates(rootCertPem);
  if (roots.length !== 1) {
    throw new AmbitError('InvalidArgument', `${join(dir, 'root-cert.pem')} must hold exactly one certificate; it holds ${roots.length}`);
  }
  const root = roots[0] as string;
  const caCert = splitPemCertificates(caCertPem)[0] ?? caCertPem;
  // cert-chain.pem may or may not repeat ca-cert.pem and the root; keep only what lies between.
  const intermediates = splitPemCertificates(certChainPem).filter((pem) => pem !== caCert && pem !== root);
  const otherRoot = intermediates.map((pem) => new X509Certificate(pem)).find((cert) => cert.subject === cert.issuer);
  if (otherRoot) {
    throw new AmbitError(
      'InvalidArgument',
      `${join(dir, 'cert-chain.pem')} ends in a root ("${otherRoot.subject}") that is not the one in ` +
        `${join(dir, 'root-cert.pem')}; both files must lead to the same root`,
    );
  }
  const parents =
    caCert === root
      ? []
      : [...intermediates.map((pem) => ({ pem, file: join(dir, 'cert-chain.pem') })), { pem: root, file: join(dir, 'root-cert.pem') }];

  return loadSigningCert({
    certPem: caCert,
    keyPem: caKeyPem,
    parents,
    certFile: join(dir, 'ca-cert.pem'),
    keyFile: join(dir, 'ca-key.pem'),
  });
}
