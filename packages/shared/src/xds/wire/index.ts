/**
 * A small protobuf wire codec for exactly the messages a ztunnel exchanges with the control plane:
 * ADS requests and responses, the workload API, Ambit's Node, and the CA's request and response.
 * No reflection and no protobufjs, so a ztunnel does not carry either (≈ 6–8 MiB of its RSS); the
 * control plane keeps the reflection codecs, and the tests round-trip between the two.
 * Import it as `@ambit/shared/xds/wire/index`, not through `@ambit/shared/xds` (which loads protobufjs).
 */
export { decodeIstioCertificateResponse, encodeIstioCertificateRequest, type IstioCertificateRequestMessage } from './certificate';
export {
  decodeDeltaDiscoveryResponseWire,
  decodeDiscoveryResponseWire,
  encodeDeltaDiscoveryRequestWire,
  encodeDiscoveryRequestWire,
} from './discovery';
export { ProtoReader, WireType } from './reader';
export { writeStruct } from './struct';
export { decodeAddressWire, decodeAuthorizationWire, decodeMeshNodeWire } from './workload';
export { ProtoWriter } from './writer';
