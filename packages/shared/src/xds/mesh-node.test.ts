import { describe, expect, it } from 'vitest';
import { decodeMeshNode, meshNodeResourceName, packMeshNode } from './mesh-node';
import { pushOrder, shortTypeName, TypeUrl } from './type-urls';
import { bytesToIp, ipToBytes } from './workload-api';

describe('Ambit Node resource codec', () => {
  it('round-trips a node with its addresses and HBONE port under its own type URL', () => {
    const packed = packMeshNode({ name: 'node-2', addresses: [ipToBytes('127.12.0.1'), ipToBytes('fd00::12')], hbonePort: 15008 });
    expect(packed.typeUrl).toBe('type.googleapis.com/ambit.mesh.v1.Node');
    const decoded = decodeMeshNode(packed.value);
    expect(decoded.name).toBe('node-2');
    expect(decoded.hbonePort).toBe(15008);
    expect(decoded.addresses?.map((a) => bytesToIp(a))).toEqual(['127.12.0.1', 'fd00::12']);
    expect(meshNodeResourceName(decoded)).toBe('node-2');
  });

  it('leaves fields at their defaults off the wire, as proto3 does', () => {
    const decoded = decodeMeshNode(packMeshNode({ name: 'bare' }).value);
    expect(decoded).toEqual({ name: 'bare' });
  });

  it('is reported as nds and pushed before the addresses that name its nodes', () => {
    expect(shortTypeName(TypeUrl.node)).toBe('nds');
    expect(pushOrder(TypeUrl.node)).toBeLessThan(pushOrder(TypeUrl.address));
  });
});
