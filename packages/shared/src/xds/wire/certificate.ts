// istio.v1.auth.IstioCertificateRequest / Response (proto/istio/v1/auth/ca.proto) without protobufjs.
import type { StructMessage } from '../struct';
import { ProtoReader } from './reader';
import { writeStruct } from './struct';
import { ProtoWriter } from './writer';

export interface IstioCertificateRequestMessage {
  /** PEM. */
  csr: string;
  /** Seconds; 0 lets the CA choose. */
  validityDuration?: number;
  /** e.g. `ImpersonatedIdentity` when a node proxy asks for a workload. */
  metadata?: StructMessage;
}

/** csr 1, validity_duration 3 (int64), metadata 4 (Struct). */
export function encodeIstioCertificateRequest(request: IstioCertificateRequestMessage): Buffer {
  const writer = new ProtoWriter(request.csr.length + 128);
  writer.string(1, request.csr).uint(3, request.validityDuration);
  const metadata = request.metadata;
  if (metadata) writer.message(4, (out) => writeStruct(out, metadata));
  return writer.finish();
}

/** cert_chain 1: one PEM per element, leaf first. Throws on bytes that are not a response. */
export function decodeIstioCertificateResponse(bytes: Uint8Array): { certChain: string[] } {
  const reader = new ProtoReader(bytes);
  const certChain: string[] = [];
  while (reader.next()) {
    if (reader.field === 1) certChain.push(reader.string());
    else reader.skip();
  }
  return { certChain };
}
