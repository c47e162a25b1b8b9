// Where the xDS client writes what it receives: one typed call per accepted response.
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import type { Address, Authorization, MeshNode, TypeUrl } from '@ambit/shared/xds';

/** An Envoy resource (Listener, RouteConfiguration, Cluster, ClusterLoadAssignment...) as protobufjs' JSON-style object. */
export type EnvoyResource = Record<string, unknown>;

/** What each type URL decodes to; other type URLs decode as Envoy messages. */
export interface DecodedResources {
  [TypeUrl.address]: Address;
  [TypeUrl.authorization]: Authorization;
  [TypeUrl.node]: MeshNode;
  [TypeUrl.waypointPolicy]: CompiledPolicyWithTarget;
  [TypeUrl.listener]: EnvoyResource;
  [TypeUrl.routeConfiguration]: EnvoyResource;
  [TypeUrl.cluster]: EnvoyResource;
  [TypeUrl.clusterLoadAssignment]: EnvoyResource;
}

export type DecodedResource<U extends string> = U extends keyof DecodedResources ? DecodedResources[U] : EnvoyResource;

/** One accepted response: resources added or changed (by name), and names that are gone. Either may be empty. */
export interface ResourceUpdate<T = unknown> {
  readonly upserted: ReadonlyMap<string, T>;
  /** Only names the sink was given before. */
  readonly removed: readonly string[];
}

/**
 * What the client writes into. `apply` must take the whole update or none of it: throwing rejects
 * the response (the client NACKs it with the error's message) and the sink keeps what it had.
 * `update.upserted` holds `DecodedResource<typeof typeUrl>` values.
 */
export interface XdsSink {
  apply(typeUrl: string, update: ResourceUpdate): void;
}
