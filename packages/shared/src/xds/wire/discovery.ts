// The client's half of ADS (envoy.service.discovery.v3) without protobufjs: encode DiscoveryRequest
// and DeltaDiscoveryRequest (with the Node and a NACK's google.rpc.Status), decode DiscoveryResponse
// and DeltaDiscoveryResponse. Same shapes as client-messages.ts, which does this with reflection.
import type { Any } from '../any';
import type { ReceivedDeltaResource, ReceivedDeltaResponse, ReceivedResponse } from '../client-messages';
import type { DeltaDiscoveryRequest, DiscoveryRequest, ErrorDetail, NodeMessage } from '../discovery-messages';
import { ProtoReader } from './reader';
import { writeStruct } from './struct';
import { ProtoWriter } from './writer';

const EMPTY = new Uint8Array(0);

/** envoy.config.core.v3.Node: id 1, cluster 2, metadata 3, locality 4, user_agent_name 6, user_agent_version 7. */
function writeNode(writer: ProtoWriter, node: NodeMessage): void {
  writer.string(1, node.id).string(2, node.cluster);
  const metadata = node.metadata;
  if (metadata) writer.message(3, (out) => writeStruct(out, metadata));
  const locality = node.locality;
  if (locality) writer.message(4, (out) => out.string(1, locality.region).string(2, locality.zone).string(3, locality.subZone));
  writer.string(6, node.userAgentName).string(7, node.userAgentVersion);
}

/** google.rpc.Status: code 1 (int32), message 2. */
function writeStatus(writer: ProtoWriter, status: ErrorDetail): void {
  writer.uint(1, status.code).string(2, status.message);
}

export function encodeDiscoveryRequestWire(request: Partial<DiscoveryRequest>): Buffer {
  const writer = new ProtoWriter(128);
  // Written even when empty, as protobufjs does: an empty version_info is "I hold nothing yet".
  writer.string(1, request.versionInfo, true);
  const node = request.node;
  if (node) writer.message(2, (out) => writeNode(out, node));
  for (const name of request.resourceNames ?? []) writer.string(3, name, true);
  writer.string(4, request.typeUrl).string(5, request.responseNonce);
  const error = request.errorDetail;
  if (error) writer.message(6, (out) => writeStatus(out, error));
  return writer.finish();
}

export function encodeDeltaDiscoveryRequestWire(request: Partial<DeltaDiscoveryRequest>): Buffer {
  const writer = new ProtoWriter(128);
  const node = request.node;
  if (node) writer.message(1, (out) => writeNode(out, node));
  writer.string(2, request.typeUrl);
  for (const name of request.resourceNamesSubscribe ?? []) writer.string(3, name, true);
  for (const name of request.resourceNamesUnsubscribe ?? []) writer.string(4, name, true);
  const versions = request.initialResourceVersions ?? {};
  for (const name of Object.keys(versions)) {
    const version = versions[name];
    writer.message(5, (entry) => entry.string(1, name, true).string(2, version));
  }
  writer.string(6, request.responseNonce);
  const error = request.errorDetail;
  if (error) writer.message(7, (out) => writeStatus(out, error));
  return writer.finish();
}

/** google.protobuf.Any: type_url 1, value 2 (a view into the response, as protobufjs gives). */
function readAny(reader: ProtoReader): Any {
  let typeUrl = '';
  let value: Uint8Array = EMPTY;
  while (reader.next()) {
    if (reader.field === 1) typeUrl = reader.string();
    else if (reader.field === 2) value = reader.bytesField();
    else reader.skip();
  }
  return { typeUrl, value };
}

/** Throws on bytes that are not a DiscoveryResponse. */
export function decodeDiscoveryResponseWire(bytes: Uint8Array): ReceivedResponse {
  const reader = new ProtoReader(bytes);
  let versionInfo = '';
  let typeUrl = '';
  let nonce = '';
  const resources: Any[] = [];
  while (reader.next()) {
    switch (reader.field) {
      case 1:
        versionInfo = reader.string();
        break;
      case 2:
        resources.push(readAny(reader.message()));
        break;
      case 4:
        typeUrl = reader.string();
        break;
      case 5:
        nonce = reader.string();
        break;
      default:
        reader.skip();
    }
  }
  return { versionInfo, typeUrl, nonce, resources };
}

/** Resource: version 1, resource 2, name 3. */
function readDeltaResource(reader: ProtoReader): ReceivedDeltaResource {
  let name = '';
  let version = '';
  let resource: Any | undefined;
  while (reader.next()) {
    if (reader.field === 3) name = reader.string();
    else if (reader.field === 1) version = reader.string();
    else if (reader.field === 2) resource = readAny(reader.message());
    else reader.skip();
  }
  return { name, version, resource };
}

/** Throws on bytes that are not a DeltaDiscoveryResponse. */
export function decodeDeltaDiscoveryResponseWire(bytes: Uint8Array): ReceivedDeltaResponse {
  const reader = new ProtoReader(bytes);
  let systemVersionInfo = '';
  let typeUrl = '';
  let nonce = '';
  const resources: ReceivedDeltaResource[] = [];
  const removedResources: string[] = [];
  while (reader.next()) {
    switch (reader.field) {
      case 1:
        systemVersionInfo = reader.string();
        break;
      case 2:
        resources.push(readDeltaResource(reader.message()));
        break;
      case 4:
        typeUrl = reader.string();
        break;
      case 5:
        nonce = reader.string();
        break;
      case 6:
        removedResources.push(reader.string());
        break;
      default:
        reader.skip();
    }
  }
  return { systemVersionInfo, typeUrl, nonce, resources, removedResources };
}
