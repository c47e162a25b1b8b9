/**
 * Who may obtain a certificate for which identity. A caller is whoever presented a valid token;
 * each kind of caller has one rule naming the identities it may hold. Node proxies (ztunnels) may
 * act for the workloads scheduled on their node, and nothing else.
 */
import { AmbitError } from '@ambit/shared/errors';

/** Another kind (a waypoint acting for its service accounts) is one more member and one more case. */
export type CertificateCaller = { kind: 'node'; node: string };

/** Where the CA learns which workloads run where; the registry supplies it. */
export interface IdentitySources {
  /** SPIFFE URIs of the workloads scheduled on `node`. */
  identitiesOnNode(node: string): Set<string>;
}

export function identitiesAllowedFor(caller: CertificateCaller, sources: IdentitySources): ReadonlySet<string> {
  switch (caller.kind) {
    case 'node':
      return sources.identitiesOnNode(caller.node);
  }
}

export interface IdentityRequest {
  caller: CertificateCaller;
  /** The SPIFFE id in the CSR's SAN. */
  identity: string;
  /** `ImpersonatedIdentity` from the request metadata, when the caller named one. */
  impersonatedIdentity: string | undefined;
}

/** Throws PermissionDenied, with the reason, unless `caller` may obtain a certificate for `identity`. */
export function authorizeIdentity(request: IdentityRequest, sources: IdentitySources): void {
  const { caller, identity, impersonatedIdentity } = request;
  if (impersonatedIdentity !== undefined && impersonatedIdentity !== identity) {
    throw new AmbitError('PermissionDenied', `ImpersonatedIdentity ${impersonatedIdentity} does not match the CSR's SPIFFE id ${identity}`);
  }
  if (!identitiesAllowedFor(caller, sources).has(identity)) {
    throw new AmbitError('PermissionDenied', `${describeCaller(caller)} may not obtain a certificate for ${identity}: ${ruleOf(caller)}`);
  }
}

export function describeCaller(caller: CertificateCaller): string {
  switch (caller.kind) {
    case 'node':
      return `node ${caller.node}`;
  }
}

function ruleOf(caller: CertificateCaller): string {
  switch (caller.kind) {
    case 'node':
      return 'no workload with that identity is scheduled on this node (a node proxy may only act for workloads on its own node)';
  }
}
