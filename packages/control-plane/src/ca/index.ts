/** The control plane's certificate authority: see authority.ts for the path a request takes. */
export {
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  type CertificateRequest,
  createCertificateAuthority,
} from './authority';
export { type CertificateCaller, type IdentitySources, identitiesAllowedFor } from './authorization';
export { DEFAULT_TTL_POLICY, type IssuedCertificate, type TtlPolicy } from './issuer';
export { CertificateLedger, DEFAULT_LEDGER_LIMITS, type IssuedCertificateRecord, LEDGER_FILE, type LedgerLimits } from './ledger';
export { NodeTokenStore } from './node-tokens';
export { PLUGIN_CERT_FILES } from './plugin-certs';
export {
  addCertificateService,
  CERTIFICATE_SERVICE,
  type CertificateServer,
  certificateProto,
  startCertificateServer,
} from './service';
export {
  CONTROL_PLANE_NAMESPACE,
  CONTROL_PLANE_SERVICE_ACCOUNT,
  DEFAULT_SERVING_DNS_NAMES,
  DEFAULT_SERVING_IP_ADDRESSES,
  DEFAULT_SERVING_TTL_SECONDS,
  type ServingCertificate,
  type ServingCertificateRequest,
} from './serving-cert';
export { createServingCredentials, type ServingCredentials, type ServingCredentialsOptions } from './serving-credentials';
