/**
 * The certificate authority as the control plane runs it: a signing certificate (our own root,
 * or the operator's plug-in certs), the node tokens, and the path every request takes —
 * authenticate the caller, read the CSR, authorize the identity, sign. Every refusal is logged
 * with who asked, for what, and why; tokens never are.
 */
import { AmbitError, isAmbitError } from '@ambit/shared/errors';
import { DEFAULT_TRUST_DOMAIN } from '@ambit/shared/spiffe';
import type { Logger } from 'pino';
import { authorizeIdentity, type CertificateCaller, type IdentitySources } from './authorization';
import { createIssuer, DEFAULT_TTL_POLICY, type IssuedCertificate, type TtlPolicy } from './issuer';
import { CertificateLedger, type IssuedCertificateRecord, type LedgerLimits } from './ledger';
import { NodeTokenStore } from './node-tokens';
import { loadPluginCerts } from './plugin-certs';
import { loadOrCreateRoot } from './root';
import { issueServingCertificate, type ServingCertificate, type ServingCertificateRequest } from './serving-cert';

export interface CertificateAuthorityOptions extends IdentitySources {
  /** The control plane's data directory; the CA keeps its root and token hashes in `<dataDir>/ca`. */
  dataDir: string;
  /** Default `cluster.local`. */
  trustDomain?: string;
  /** A directory of Istio-style plug-in certs to sign with instead of a generated root. */
  pluginCertsDir?: string;
  logger: Logger;
  ttl?: Partial<TtlPolicy>;
  /** Bounds of the issuance ledger (`<dataDir>/ca/ledger.json`). */
  ledger?: Partial<LedgerLimits>;
}

/** What a caller sends, whatever the transport. */
export interface CertificateRequest {
  /** The `authorization` header value: `Bearer <node token>`. */
  authorization: string | undefined;
  /** PEM PKCS#10 request. */
  csr: string;
  /** Requested lifetime in seconds; 0 or absent for the default. */
  validitySeconds?: number;
  /** Istio's request metadata; `ImpersonatedIdentity` names the workload a node proxy acts for. */
  metadata?: Record<string, unknown>;
  /** Where the request came from, for the logs. */
  peer?: string;
}

export interface CertificateAuthority {
  readonly trustDomain: string;
  /** PEM of the root every issued chain ends with: what peers must trust. */
  readonly rootCertPem: string;
  readonly nodeTokens: NodeTokenStore;
  /** Throws AmbitError: Unauthenticated, InvalidArgument, PermissionDenied (or Internal). */
  createCertificate(request: CertificateRequest): Promise<IssuedCertificate>;
  /** The control plane's own certificate for its TLS port (not a workload's: it carries DNS and IP names). */
  issueServingCertificate(request?: ServingCertificateRequest): Promise<ServingCertificate>;
  /** The issuance ledger: the newest workload certificates per identity+node, newest first within each. */
  issuedCertificates(): IssuedCertificateRecord[];
  /** Resolves once the ledger is on disk (tests, shutdown). */
  flushLedger(): Promise<void>;
}

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const log = options.logger.child({ component: 'ca' });
  const signing = options.pluginCertsDir
    ? await loadPluginCerts(options.pluginCertsDir)
    : await loadOrCreateRoot(options.dataDir, trustDomain);
  const issuer = await createIssuer(signing, trustDomain, { ...DEFAULT_TTL_POLICY, ...options.ttl });
  const nodeTokens = await NodeTokenStore.open(options.dataDir);
  const ledger = await CertificateLedger.open(options.dataDir, log, options.ledger);
  log.info(
    {
      trustDomain,
      signer: signing.cert.subject,
      source: options.pluginCertsDir ?? 'generated root',
      chainLength: signing.chainPem.length,
    },
    'certificate authority ready',
  );

  async function createCertificate(request: CertificateRequest): Promise<IssuedCertificate> {
    let caller: CertificateCaller | undefined;
    let identity: string | undefined;
    try {
      caller = { kind: 'node', node: nodeTokens.authenticate(bearerToken(request.authorization)) };
      const csr = await issuer.readCsr(request.csr);
      identity = csr.identity;
      authorizeIdentity({ caller, identity, impersonatedIdentity: impersonatedIdentityOf(request.metadata) }, options);
      const issued = await issuer.sign(csr, request.validitySeconds);
      ledger.record({
        identity,
        serial: issued.serialNumber.toLowerCase(),
        issuer: signing.cert.subject,
        node: caller.node,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
        issuedAt: new Date().toISOString(),
      });
      log.info({ node: caller.node, identity, serial: issued.serialNumber, notAfter: issued.notAfter.toISOString() }, 'certificate issued');
      return issued;
    } catch (error) {
      const where = { node: caller?.node, identity, peer: request.peer };
      if (isAmbitError(error)) {
        log.warn({ ...where, code: error.code, reason: error.message }, 'certificate request refused');
        throw error;
      }
      log.error({ ...where, err: error }, 'certificate request failed');
      throw new AmbitError('Internal', 'the CA could not sign the certificate; the control plane log has the cause');
    }
  }

  async function issueServing(request: ServingCertificateRequest = {}): Promise<ServingCertificate> {
    const issued = await issueServingCertificate(signing, trustDomain, request);
    log.info(
      {
        identity: issued.identity,
        dnsNames: issued.dnsNames,
        ipAddresses: issued.ipAddresses,
        serial: issued.serialNumber,
        notAfter: issued.notAfter.toISOString(),
      },
      'control plane serving certificate issued',
    );
    return issued;
  }

  return {
    trustDomain,
    rootCertPem: issuer.rootCertPem,
    nodeTokens,
    createCertificate,
    issueServingCertificate: issueServing,
    issuedCertificates: () => ledger.list(),
    flushLedger: () => ledger.flush(),
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new AmbitError('Unauthenticated', 'the authorization header must be "Bearer <node token>"');
  return match[1];
}

function impersonatedIdentityOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const value = metadata?.ImpersonatedIdentity;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new AmbitError('InvalidArgument', 'metadata.ImpersonatedIdentity must be a string SPIFFE id', [
      { path: 'metadata.ImpersonatedIdentity', message: 'must be a string' },
    ]);
  }
  return value;
}
