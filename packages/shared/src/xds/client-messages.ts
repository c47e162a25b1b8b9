// The client's half of the ADS wire codec: encode requests, decode responses. The server's half
// lives in discovery-messages.ts. This half loads only the discovery messages (discoverySchemas),
// so a ztunnel never loads Envoy's resource schemas.
import type { Any } from './any';
import type { DeltaDiscoveryRequest, DiscoveryRequest } from './discovery-messages';
import { discoverySchemas } from './schemas';

/** A resource of a delta response; `resource` is absent when the server sent only a name. */
export interface ReceivedDeltaResource {
  readonly name: string;
  readonly version: string;
  readonly resource: Any | undefined;
}

export interface ReceivedDeltaResponse {
  readonly systemVersionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: readonly ReceivedDeltaResource[];
  readonly removedResources: readonly string[];
}

export interface ReceivedResponse {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: readonly Any[];
}

/** protobufjs' google.protobuf.Any keeps its proto field name. */
interface ProtoAny {
  type_url?: string;
  value?: Uint8Array;
}

type MessageType = ReturnType<ReturnType<typeof discoverySchemas>['lookupType']>;

interface ClientTypes {
  request: MessageType;
  response: MessageType;
  deltaRequest: MessageType;
  deltaResponse: MessageType;
}

let types: ClientTypes | undefined;

function clientTypes(): ClientTypes {
  if (!types) {
    const root = discoverySchemas();
    types = {
      request: root.lookupType('envoy.service.discovery.v3.DiscoveryRequest'),
      response: root.lookupType('envoy.service.discovery.v3.DiscoveryResponse'),
      deltaRequest: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest'),
      deltaResponse: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
    };
  }
  return types;
}

export function encodeDiscoveryRequest(request: Partial<DiscoveryRequest>): Buffer {
  const type = clientTypes().request;
  return asBuffer(type.encode(type.fromObject(request)).finish());
}

export function encodeDeltaDiscoveryRequest(request: Partial<DeltaDiscoveryRequest>): Buffer {
  const type = clientTypes().deltaRequest;
  return asBuffer(type.encode(type.fromObject(request)).finish());
}

/** Throws on bytes that are not a DiscoveryResponse. */
export function decodeDiscoveryResponse(bytes: Uint8Array): ReceivedResponse {
  const message = clientTypes().response.decode(bytes) as unknown as {
    versionInfo?: string;
    typeUrl?: string;
    nonce?: string;
    resources?: ProtoAny[];
  };
  return {
    versionInfo: message.versionInfo ?? '',
    typeUrl: message.typeUrl ?? '',
    nonce: message.nonce ?? '',
    resources: (message.resources ?? []).map(toAny),
  };
}

/** Throws on bytes that are not a DeltaDiscoveryResponse. */
export function decodeDeltaDiscoveryResponse(bytes: Uint8Array): ReceivedDeltaResponse {
  const message = clientTypes().deltaResponse.decode(bytes) as unknown as {
    systemVersionInfo?: string;
    typeUrl?: string;
    nonce?: string;
    resources?: { name?: string; version?: string; resource?: ProtoAny | null }[];
    removedResources?: string[];
  };
  return {
    systemVersionInfo: message.systemVersionInfo ?? '',
    typeUrl: message.typeUrl ?? '',
    nonce: message.nonce ?? '',
    resources: (message.resources ?? []).map((entry) => ({
      name: entry.name ?? '',
      version: entry.version ?? '',
      resource: entry.resource ? toAny(entry.resource) : undefined,
    })),
    removedResources: message.removedResources ?? [],
  };
}

/** Preloads the schemas so the first stream does not pay for them. */
export function warmUpClientCodec(): void {
  clientTypes();
}

function toAny(any: ProtoAny): Any {
  return { typeUrl: any.type_url ?? '', value: any.value ?? new Uint8Array(0) };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
