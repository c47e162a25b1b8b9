// Wire codec for ADS requests and responses (envoy.service.discovery.v3), server side.
import type protobuf from 'protobufjs';
import { type Any, protoAny } from './any';
import { envoySchemas } from './schemas';
import type { StructMessage } from './struct';

/** The parts of envoy.config.core.v3.Node that identify a proxy, as protobufjs decodes them. */
export interface NodeMessage {
  id?: string;
  cluster?: string;
  metadata?: StructMessage | null;
  locality?: { region?: string; zone?: string; subZone?: string } | null;
  userAgentName?: string;
  userAgentVersion?: string;
}

/** google.rpc.Status as a NACK carries it. */
export interface ErrorDetail {
  code?: number;
  message?: string;
}

export interface DiscoveryRequest {
  versionInfo: string;
  node?: NodeMessage | null;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  errorDetail?: ErrorDetail | null;
}

export interface DeltaDiscoveryRequest {
  node?: NodeMessage | null;
  typeUrl: string;
  resourceNamesSubscribe: string[];
  resourceNamesUnsubscribe: string[];
  initialResourceVersions: Record<string, string>;
  responseNonce: string;
  errorDetail?: ErrorDetail | null;
}

export interface DiscoveryResponse {
  versionInfo: string;
  resources: readonly Any[];
  typeUrl: string;
  nonce: string;
  controlPlane?: { identifier: string };
}

export interface DeltaResource {
  name: string;
  version: string;
  resource: Any;
}

export interface DeltaDiscoveryResponse {
  systemVersionInfo: string;
  resources: readonly DeltaResource[];
  typeUrl: string;
  removedResources: readonly string[];
  nonce: string;
  controlPlane?: { identifier: string };
}

interface DiscoveryTypes {
  request: protobuf.Type;
  response: protobuf.Type;
  deltaRequest: protobuf.Type;
  deltaResponse: protobuf.Type;
}

let types: DiscoveryTypes | undefined;

function discoveryTypes(): DiscoveryTypes {
  if (!types) {
    const root = envoySchemas();
    types = {
      request: root.lookupType('envoy.service.discovery.v3.DiscoveryRequest'),
      response: root.lookupType('envoy.service.discovery.v3.DiscoveryResponse'),
      deltaRequest: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest'),
      deltaResponse: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
    };
  }
  return types;
}

/** Throws on bytes that are not a DiscoveryRequest; grpc-js turns that into an INTERNAL status. */
export function decodeDiscoveryRequest(bytes: Buffer): DiscoveryRequest {
  return discoveryTypes().request.decode(bytes) as unknown as DiscoveryRequest;
}

export function decodeDeltaDiscoveryRequest(bytes: Buffer): DeltaDiscoveryRequest {
  return discoveryTypes().deltaRequest.decode(bytes) as unknown as DeltaDiscoveryRequest;
}

export function encodeDiscoveryResponse(response: DiscoveryResponse): Buffer {
  const message = { ...response, resources: response.resources.map(protoAny) };
  return asBuffer(discoveryTypes().response.encode(message).finish());
}

export function encodeDeltaDiscoveryResponse(response: DeltaDiscoveryResponse): Buffer {
  const resources = response.resources.map((entry) => ({ name: entry.name, version: entry.version, resource: protoAny(entry.resource) }));
  return asBuffer(
    discoveryTypes()
      .deltaResponse.encode({ ...response, resources })
      .finish(),
  );
}

/** Preloads the schemas so the first stream does not pay for it. */
export function warmUpDiscoveryCodec(): void {
  discoveryTypes();
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
