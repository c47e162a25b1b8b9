/**
 * Where each kind lives in the Kubernetes API: group, version, plural and scope, taken from
 * Ambit's kind table, plus the two kinds Ambit reads or writes in Kubernetes mode only
 * (EndpointSlice and the leader-election Lease).
 */
import { kindInfo, preferredApiVersion } from '@ambit/shared';

export interface ApiResource {
  kind: string;
  /** `v1` or `group/version`. */
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

const KUBERNETES_ONLY: readonly ApiResource[] = [
  { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true },
  { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespaced: true },
];

/** The kinds the control plane lists and watches in Kubernetes mode. */
export const WATCHED_KINDS = [
  'Namespace',
  'Node',
  'Service',
  'EndpointSlice',
  'Pod',
  // The rollout controller reads Deployments (and their status: readiness) and writes primaries.
  'Deployment',
  'ServiceAccount',
  'AuthorizationPolicy',
  'PeerAuthentication',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  // Cross-namespace backendRefs of HTTPRoutes need one (Gateway API standard channel, stored at v1beta1).
  'ReferenceGrant',
  'FaultInjection',
  'Canary',
] as const;

export function apiResource(kind: string): ApiResource {
  const own = KUBERNETES_ONLY.find((r) => r.kind === kind);
  if (own) return own;
  const info = kindInfo(kind);
  return { kind, apiVersion: preferredApiVersion(info), plural: info.plural, namespaced: info.namespaced };
}

/** `/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise. */
function groupPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The collection across all namespaces (for list and watch). */
export function collectionPath(resource: ApiResource): string {
  return `${groupPrefix(resource.apiVersion)}/${resource.plural}`;
}

/** One object's path; `subresource` e.g. `status`. */
export function objectPath(resource: ApiResource, namespace: string, name: string, subresource?: string): string {
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = subresource ? `/${subresource}` : '';
  return `${groupPrefix(resource.apiVersion)}${scope}/${resource.plural}/${encodeURIComponent(name)}${tail}`;
}

/** Where objects of a kind are created (POST). */
export function createPath(resource: ApiResource, namespace: string): string {
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(resource.apiVersion)}${scope}/${resource.plural}`;
}
