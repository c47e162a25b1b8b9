// The resource types a waypoint decodes by reflection (protobufjs): Envoy's Listener, Route,
// Cluster and ClusterLoadAssignment as plain objects, and Ambit's WaypointPolicy. Loaded by
// resource-types.ts only when subscribed, so a ztunnel's bundle never initializes protobufjs.
import type { CompiledPolicyWithTarget } from '@ambit/shared/authz';
import { decodeWaypointPolicy, TypeUrl, unpackEnvoyResource, waypointPolicyResourceName } from '@ambit/shared/xds';
import type { ResourceType } from './resource-types';
import type { EnvoyResource } from './sink';

const waypointPolicyType: ResourceType<CompiledPolicyWithTarget> = {
  typeUrl: TypeUrl.waypointPolicy,
  decode: decodeWaypointPolicy,
  nameOf: waypointPolicyResourceName,
};

const envoyTypes = new Map<string, ResourceType>();

function envoyType(typeUrl: string): ResourceType<EnvoyResource> {
  return {
    typeUrl,
    decode: (value) => unpackEnvoyResource({ typeUrl, value }),
    // ClusterLoadAssignment is keyed by cluster_name; every other Envoy resource by name.
    nameOf: (resource) => String(resource.name ?? resource.clusterName ?? ''),
  };
}

export function reflectionResourceType(typeUrl: string): ResourceType {
  if (typeUrl === TypeUrl.waypointPolicy) return waypointPolicyType as ResourceType;
  let type = envoyTypes.get(typeUrl);
  if (!type) {
    type = envoyType(typeUrl) as ResourceType;
    envoyTypes.set(typeUrl, type);
  }
  return type;
}
