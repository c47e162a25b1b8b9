import type { z } from 'zod';
import { faultInjectionSchema } from './ambit';
import { deploymentSchema } from './apps';
import { namespaceSchema, nodeSchema, podSchema, serviceAccountSchema, serviceSchema } from './core';
import { canarySchema } from './flagger';
import { gatewaySchema, httpRouteSchema, referenceGrantSchema } from './gateway';
import { grpcRouteSchema } from './grpc-route';
import type { KubeObject } from './meta';
import { authorizationPolicySchema, peerAuthenticationSchema } from './security';

/**
 * The kinds Ambit accepts: one row each, with the API group and versions it is served under
 * (the first version is the one objects are stored and shown in), scope, and the names a user
 * may type on the command line.
 */
export interface KindInfo {
  kind: string;
  group: string;
  versions: readonly [string, ...string[]];
  namespaced: boolean;
  plural: string;
  shortNames: readonly string[];
  schema: z.ZodType<KubeObject>;
}

const table: readonly KindInfo[] = [
  { kind: 'Namespace', group: '', versions: ['v1'], namespaced: false, plural: 'namespaces', shortNames: ['ns'], schema: namespaceSchema },
  { kind: 'Node', group: '', versions: ['v1'], namespaced: false, plural: 'nodes', shortNames: ['no'], schema: nodeSchema },
  { kind: 'Service', group: '', versions: ['v1'], namespaced: true, plural: 'services', shortNames: ['svc'], schema: serviceSchema },
  {
    kind: 'ServiceAccount',
    group: '',
    versions: ['v1'],
    namespaced: true,
    plural: 'serviceaccounts',
    shortNames: ['sa'],
    schema: serviceAccountSchema,
  },
  { kind: 'Pod', group: '', versions: ['v1'], namespaced: true, plural: 'pods', shortNames: ['po'], schema: podSchema },
  {
    kind: 'Deployment',
    group: 'apps',
    versions: ['v1'],
    namespaced: true,
    plural: 'deployments',
    shortNames: ['deploy'],
    schema: deploymentSchema,
  },
  {
    kind: 'AuthorizationPolicy',
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    namespaced: true,
    plural: 'authorizationpolicies',
    shortNames: ['ap'],
    schema: authorizationPolicySchema,
  },
  {
    kind: 'PeerAuthentication',
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    namespaced: true,
    plural: 'peerauthentications',
    shortNames: ['pa'],
    schema: peerAuthenticationSchema,
  },
  {
    kind: 'Gateway',
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    namespaced: true,
    plural: 'gateways',
    shortNames: ['gtw'],
    schema: gatewaySchema,
  },
  {
    kind: 'HTTPRoute',
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    namespaced: true,
    plural: 'httproutes',
    shortNames: [],
    schema: httpRouteSchema,
  },
  {
    // v1 since Gateway API 1.1; v1alpha2 is what older manifests say (the same schema).
    kind: 'GRPCRoute',
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1alpha2'],
    namespaced: true,
    plural: 'grpcroutes',
    shortNames: [],
    schema: grpcRouteSchema,
  },
  {
    // Stored at v1beta1, the version every Gateway API release since 0.6 serves (and still stores); v1 is new; v1alpha2 is old manifests'.
    kind: 'ReferenceGrant',
    group: 'gateway.networking.k8s.io',
    versions: ['v1beta1', 'v1', 'v1alpha2'],
    namespaced: true,
    plural: 'referencegrants',
    shortNames: ['refgrant'],
    schema: referenceGrantSchema,
  },
  {
    kind: 'FaultInjection',
    group: 'networking.ambit.dev',
    versions: ['v1alpha1'],
    namespaced: true,
    plural: 'faultinjections',
    shortNames: ['fault'],
    schema: faultInjectionSchema,
  },
  {
    kind: 'Canary',
    group: 'flagger.app',
    versions: ['v1beta1'],
    namespaced: true,
    plural: 'canaries',
    shortNames: ['canary'],
    schema: canarySchema,
  },
];

export const kinds: readonly KindInfo[] = table;

/** `group/version`, or just `version` for the core group: the apiVersion objects are stored in. */
export function preferredApiVersion(info: KindInfo): string {
  return info.group ? `${info.group}/${info.versions[0]}` : info.versions[0];
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The kind served under this apiVersion, or why there is none. */
export function lookupKind(apiVersion: string, kind: string): { info: KindInfo } | { error: string } {
  const { group, version } = splitApiVersion(apiVersion);
  const info = table.find((k) => k.kind === kind && k.group === group);
  if (!info) {
    const sameName = table.find((k) => k.kind === kind);
    if (sameName)
      return {
        error: `${kind} belongs to API group "${sameName.group || 'core'}", not "${group || 'core'}"; use apiVersion ${preferredApiVersion(sameName)}`,
      };
    return { error: `unknown kind ${kind} (${apiVersion}); Ambit accepts ${table.map((k) => k.kind).join(', ')}` };
  }
  if (!info.versions.includes(version)) {
    return { error: `${kind} is not served at version ${version}; use apiVersion ${preferredApiVersion(info)}` };
  }
  return { info };
}

/** Resolves what a user typed (`svc`, `services`, `Service`, `httproute`) to a kind. */
export function resolveKindName(name: string): KindInfo | undefined {
  const lower = name.toLowerCase();
  return table.find(
    (k) => k.kind.toLowerCase() === lower || k.plural === lower || k.shortNames.includes(lower) || `${k.plural}.${k.group}` === lower,
  );
}

export function kindInfo(kind: string): KindInfo {
  const info = table.find((k) => k.kind === kind);
  if (!info) throw new Error(`kindInfo: ${kind} is not a known kind`);
  return info;
}
