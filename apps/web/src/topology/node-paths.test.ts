import { describe, expect, it } from 'vitest';
import { absolutePositions } from './edge-paths';
import { drawNodes } from './node-paths';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

const nodes = [
  { id: 'ns:shop', position: { x: 100, y: 50 }, data: {} },
  { id: 'web', position: { x: 10, y: 20 }, parentId: 'ns:shop', data: { node: { health: 'healthy' } } },
  { id: 'api', position: { x: 400, y: 20 }, parentId: 'ns:shop', selected: true, data: { node: { health: 'healthy' } } },
  { id: 'db', position: { x: 900, y: 300 }, data: { node: { health: 'failure' }, mark: 'found' as const } },
  { id: 'far', position: { x: 9000, y: 9000 }, data: { node: { health: 'healthy' } } },
];

describe('drawNodes', () => {
  it('draws every node (not the namespace box) at its absolute place, one path per health, mark and selection', () => {
    const looks = drawNodes(nodes, absolutePositions(nodes), () => true);
    expect(looks.map((l) => [l.health, l.mark, l.selected, l.rects.length])).toEqual([
      ['healthy', undefined, false, 2],
      ['healthy', undefined, true, 1],
      ['failure', 'found', false, 1],
    ]);
    expect(looks[0]?.rects[0]).toBe(`M110,70h${NODE_WIDTH}v${NODE_HEIGHT}h${-NODE_WIDTH}Z`);
  });

  it('leaves out nodes that are elements already and nodes outside the drawn area', () => {
    const looks = drawNodes(nodes, absolutePositions(nodes), (id) => id !== 'web', { x0: 0, y0: 0, x1: 2000, y1: 2000 });
    expect(looks.flatMap((l) => l.rects)).toHaveLength(2);
  });
});
