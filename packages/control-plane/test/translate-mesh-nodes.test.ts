// Snapshot → Ambit's own Node resources: where each node's ztunnel accepts HBONE, through the codec
// the ztunnel decodes with.
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../src/registry/index';
import { bookinfoObjects } from '../src/registry/test-fixtures';
import { toNodes } from '../src/translate/index';
import { bytesToIp, decodeMeshNode, packMeshNode } from '../src/xds/index';

describe('Node resources', () => {
  it('lists every node with an address, InternalIP first, on the HBONE port', () => {
    const nodes = toNodes(buildSnapshot(bookinfoObjects()));
    expect([...nodes.keys()]).toEqual(['node-1', 'node-2']);
    const decoded = decodeMeshNode(packMeshNode(nodes.get('node-2') ?? { name: '' }).value);
    expect(decoded.name).toBe('node-2');
    expect(decoded.hbonePort).toBe(15008);
    expect(decoded.addresses?.map((a) => bytesToIp(a))).toEqual(['127.12.0.1']);
  });

  it('leaves out a node that has no address yet', () => {
    const objects = bookinfoObjects().map((o) => (o.kind === 'Node' && o.metadata.name === 'node-1' ? { ...o, status: {} } : o));
    expect([...toNodes(buildSnapshot(objects)).keys()]).toEqual(['node-2']);
  });
});
