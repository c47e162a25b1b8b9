/**
 * SPIFFE identities as Istio uses them: `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`.
 * Authorization principals are the same string without the `spiffe://` prefix.
 */

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

export interface SpiffeId {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const SPIFFE_PREFIX = 'spiffe://';
// Trust domains are DNS-like; namespaces and service accounts are DNS-1123 labels/subdomains.
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

export function spiffeUri(id: SpiffeId): string {
  return `${SPIFFE_PREFIX}${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** The principal form used by AuthorizationPolicy and the workload API: no `spiffe://` prefix. */
export function principalOf(id: SpiffeId): string {
  return `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Parses a SPIFFE URI (`spiffe://td/ns/x/sa/y`) or a principal (`td/ns/x/sa/y`); undefined if malformed. */
export function parseSpiffeId(value: string): SpiffeId | undefined {
  const rest = value.startsWith(SPIFFE_PREFIX) ? value.slice(SPIFFE_PREFIX.length) : value;
  const parts = rest.split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa') return undefined;
  const [trustDomain, , namespace, , serviceAccount] = parts as [string, string, string, string, string];
  if (!TRUST_DOMAIN.test(trustDomain) || !NAME.test(namespace) || !NAME.test(serviceAccount)) return undefined;
  return { trustDomain, namespace, serviceAccount };
}
