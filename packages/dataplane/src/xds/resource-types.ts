// How each xDS resource type is decoded and named: the workload API's own codecs (and Ambit's
// Node and WaypointPolicy), and Envoy messages as plain objects. One descriptor per type, as grpc-js-xds keeps one class per type.
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import {
  type Address,
  type Authorization,
  addressResourceName,
  authorizationResourceName,
  decodeAddress,
  decodeAuthorization,
  decodeMeshNode,
  decodeWaypointPolicy,
  type MeshNode,
  meshNodeResourceName,
  TypeUrl,
  unpackEnvoyResource,
  waypointPolicyResourceName,
} from '@ambit/shared/xds';
import type { EnvoyResource } from './sink';

export interface ResourceType<T = unknown> {
  readonly typeUrl: string;
  /** Throws on bytes that are not a valid resource of this type. */
  decode(bytes: Uint8Array): T;
  /** The resource's key, for state-of-the-world responses (delta responses name each resource). */
  nameOf(resource: T): string;
}

const addressType: ResourceType<Address> = {
  typeUrl: TypeUrl.address,
  decode(bytes) {
    const address = decodeAddress(bytes);
    if (!address.workload && !address.service) throw new Error('the Address holds neither a workload nor a service');
    return address;
  },
  nameOf: addressResourceName,
};

const authorizationType: ResourceType<Authorization> = {
  typeUrl: TypeUrl.authorization,
  decode: decodeAuthorization,
  nameOf: authorizationResourceName,
};

const nodeType: ResourceType<MeshNode> = {
  typeUrl: TypeUrl.node,
  decode: decodeMeshNode,
  nameOf: meshNodeResourceName,
};

const waypointPolicyType: ResourceType<CompiledPolicyWithTarget> = {
  typeUrl: TypeUrl.waypointPolicy,
  decode: decodeWaypointPolicy,
  nameOf: waypointPolicyResourceName,
};

function envoyType(typeUrl: string): ResourceType<EnvoyResource> {
  return {
    typeUrl,
    decode: (value) => unpackEnvoyResource({ typeUrl, value }),
    // ClusterLoadAssignment is keyed by cluster_name; every other Envoy resource by name.
    nameOf: (resource) => String(resource.name ?? resource.clusterName ?? ''),
  };
}

/** The descriptor for a type URL; unknown types are read as Envoy messages (decoding fails if the schema lacks them). */
export function resourceTypeFor(typeUrl: string): ResourceType {
  if (typeUrl === TypeUrl.address) return addressType as ResourceType;
  if (typeUrl === TypeUrl.authorization) return authorizationType as ResourceType;
  if (typeUrl === TypeUrl.node) return nodeType as ResourceType;
  if (typeUrl === TypeUrl.waypointPolicy) return waypointPolicyType as ResourceType;
  return envoyType(typeUrl) as ResourceType;
}
