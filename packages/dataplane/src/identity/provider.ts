/** Where certificates come from: the CA, behind a seam so tests and other CAs plug in. */
export interface CertificateProvider {
  /** Sends the PEM CSR for `identity` (a SPIFFE URI) to the CA; resolves to the chain, leaf first, root last. */
  fetch(identity: string, csrPem: string): Promise<string[]>;
}
