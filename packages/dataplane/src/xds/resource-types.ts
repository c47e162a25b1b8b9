// How each xDS resource type is decoded and named: the workload API and Ambit's Node with the
// small wire codec (no protobufjs, so a ztunnel never loads it), Envoy messages and Ambit's
// WaypointPolicy with the reflection codecs, loaded on first need (loadResourceTypes) by the
// waypoint only. One descriptor per type, as grpc-js-xds keeps one class per type.
import type { MeshNode } from '@ambit/shared/xds/mesh-node';
import { TypeUrl } from '@ambit/shared/xds/type-urls';
import { decodeAddressWire, decodeAuthorizationWire, decodeMeshNodeWire } from '@ambit/shared/xds/wire/index';
import type { Address, Authorization } from '@ambit/shared/xds/workload-api';
import { addressResourceName, authorizationResourceName } from '@ambit/shared/xds/workload-names';

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
    const address = decodeAddressWire(bytes);
    if (!address.workload && !address.service) throw new Error('the Address holds neither a workload nor a service');
    return address;
  },
  nameOf: addressResourceName,
};

const authorizationType: ResourceType<Authorization> = {
  typeUrl: TypeUrl.authorization,
  decode: decodeAuthorizationWire,
  nameOf: authorizationResourceName,
};

const nodeType: ResourceType<MeshNode> = {
  typeUrl: TypeUrl.node,
  decode: decodeMeshNodeWire,
  nameOf: (node) => node.name,
};

/** The reflection-based descriptors (Envoy's types, WaypointPolicy), once loaded. */
let reflectionTypes: ((typeUrl: string) => ResourceType) | undefined;

function isWireType(typeUrl: string): boolean {
  return typeUrl === TypeUrl.address || typeUrl === TypeUrl.authorization || typeUrl === TypeUrl.node;
}

/** Loads the codecs `typeUrls` need that are not loaded yet (Envoy's schemas for a waypoint); the xDS client awaits it before its first stream. */
export async function loadResourceTypes(typeUrls: Iterable<string>): Promise<void> {
  if (reflectionTypes) return;
  for (const typeUrl of typeUrls) {
    if (isWireType(typeUrl)) continue;
    reflectionTypes = (await import('./reflection-resource-types')).reflectionResourceType;
    return;
  }
}

/** A type decoded by reflection; it asks for the codec when used, so it may be created before loadResourceTypes. */
function deferredType(typeUrl: string): ResourceType {
  const loaded = (): ResourceType => {
    if (!reflectionTypes) throw new Error(`the codec of ${typeUrl} is not loaded (loadResourceTypes)`);
    return reflectionTypes(typeUrl);
  };
  return { typeUrl, decode: (bytes) => loaded().decode(bytes), nameOf: (resource) => loaded().nameOf(resource) };
}

/** The descriptor for a type URL; unknown types are read as Envoy messages (decoding fails if the schema lacks them). */
export function resourceTypeFor(typeUrl: string): ResourceType {
  if (typeUrl === TypeUrl.address) return addressType as ResourceType;
  if (typeUrl === TypeUrl.authorization) return authorizationType as ResourceType;
  if (typeUrl === TypeUrl.node) return nodeType as ResourceType;
  return reflectionTypes ? reflectionTypes(typeUrl) : deferredType(typeUrl);
}
