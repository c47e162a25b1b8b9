import { readFile } from 'node:fs/promises';
import { AmbitError } from '@ambit/shared/errors';
import type { Logger } from 'pino';
import type { CertificateManager } from '../identity/manager';

/**
 * The roots a proxy process trusts for HBONE peers: from a PEM file, or the root the CA returns
 * last in the proxy's first certificate chain.
 */

export async function readRoots(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const roots = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (roots.length === 0) throw new AmbitError('InvalidArgument', `${file} holds no PEM certificate`);
  return roots.map((pem) => `${pem}\n`);
}

/** The root of a chain (its last element), as a bundle of one. */
export function rootOfChain(chain: readonly string[]): string[] {
  const root = chain.at(-1);
  if (!root) throw new AmbitError('Unavailable', 'the CA returned an empty chain');
  return [root];
}

/** A chain that leads to a root outside the bundle would fail every peer's check: say so, loudly. Returns the unwatch. */
export function reportUntrustedRoots(
  certificates: CertificateManager,
  trustBundle: readonly string[],
  log: Logger,
  proxy: string,
): () => void {
  return certificates.onCertificate((cert) => {
    const root = cert.chainPem.at(-1);
    if (root && !trustBundle.some((trusted) => samePem(trusted, root))) {
      log.error({ identity: cert.identity }, `the CA now signs under a root this ${proxy} does not trust; restart it to load the new root`);
    }
  });
}

function samePem(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}
