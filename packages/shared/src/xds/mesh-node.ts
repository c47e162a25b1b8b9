// Ambit's own xDS resource `ambit.mesh.v1.Node` (not Istio's): where each node's ztunnel accepts
// HBONE, which a cluster's network implies but one machine must spell out. See
// proto/ambit/mesh/v1/node.proto for why. Addresses are raw bytes, as in the workload API.
import type protobuf from 'protobufjs';
import type { Any } from './any';
import { workloadApiSchemas } from './schemas';
import { TypeUrl } from './type-urls';

/** `ambit.mesh.v1.Node`, keyed by name. */
export interface MeshNode {
  name: string;
  /** 4 or 16 bytes each, preferred first. */
  addresses?: Uint8Array[];
  hbonePort?: number;
}

let nodeType: protobuf.Type | undefined;

function meshNodeType(): protobuf.Type {
  nodeType ??= workloadApiSchemas().lookupType('ambit.mesh.v1.Node');
  return nodeType;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: false };

export function encodeMeshNode(node: MeshNode): Uint8Array {
  const type = meshNodeType();
  return type.encode(type.fromObject(node)).finish();
}

export function decodeMeshNode(bytes: Uint8Array): MeshNode {
  const type = meshNodeType();
  return type.toObject(type.decode(bytes), TO_OBJECT) as MeshNode;
}

/** `type.googleapis.com/ambit.mesh.v1.Node` Any. */
export function packMeshNode(node: MeshNode): Any {
  return { typeUrl: TypeUrl.node, value: encodeMeshNode(node) };
}

/** Resource key of a Node: its name. */
export function meshNodeResourceName(node: MeshNode): string {
  return node.name;
}
