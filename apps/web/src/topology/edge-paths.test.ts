import { describe, expect, it } from 'vitest';
import { drawEdges } from './edge-paths';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

const nodes = [
  { id: 'ns:shop', position: { x: 100, y: 50 } },
  { id: 'web', position: { x: 10, y: 20 }, parentId: 'ns:shop' },
  { id: 'api', position: { x: 400, y: 20 }, parentId: 'ns:shop' },
  { id: 'db', position: { x: 900, y: 300 } },
];

describe('drawEdges', () => {
  it('draws each edge from its source node right side to its target left side, inside namespace boxes too, with an arrowhead', () => {
    const { looks, placed } = drawEdges(nodes, [
      { id: 'web->api', source: 'web', target: 'api', data: { label: '2 rps', mtls: true, mark: undefined } },
    ]);
    expect(looks).toHaveLength(1);
    const [look] = looks;
    const fromX = 100 + 10 + NODE_WIDTH;
    const y = 50 + 20 + NODE_HEIGHT / 2;
    expect(look?.lines[0]).toMatch(new RegExp(`^M${fromX},${y} C`));
    expect(look?.lines[0]).toMatch(new RegExp(`${100 + 400},${y}$`));
    expect(look?.arrows[0]).toContain(`L${100 + 400},${y}L`);
    expect(placed).toEqual([{ id: 'web->api', x: (fromX + 500) / 2, y, label: '2 rps', mtls: true, mark: undefined }]);
  });

  it('keeps mTLS, plaintext, found and dimmed edges in separate paths, so each keeps its look', () => {
    const { looks } = drawEdges(nodes, [
      { id: 'a', source: 'web', target: 'api', data: { label: '', mtls: true, mark: undefined } },
      { id: 'b', source: 'api', target: 'db', data: { label: '', mtls: false, mark: undefined } },
      { id: 'c', source: 'web', target: 'db', data: { label: '', mtls: true, mark: 'found' } },
      { id: 'd', source: 'db', target: 'web', data: { label: '', mtls: true, mark: undefined } },
    ]);
    expect(looks.map((l) => [l.mtls, l.mark, l.lines.length])).toEqual([
      [true, undefined, 2],
      [false, undefined, 1],
      [true, 'found', 1],
    ]);
  });

  it('leaves out an edge whose node is not there (yet)', () => {
    const { looks, placed } = drawEdges(nodes, [{ id: 'x', source: 'web', target: 'gone' }]);
    expect(looks).toEqual([]);
    expect(placed).toEqual([]);
  });
});

describe('drawEdges within an area', () => {
  it('leaves out the edges that cannot cross the area and keeps those that do', () => {
    const edges = [
      { id: 'near', source: 'web', target: 'api', data: { label: '', mtls: true, mark: undefined } },
      { id: 'far', source: 'db', target: 'db', data: { label: '', mtls: true, mark: undefined } },
    ];
    const { placed } = drawEdges(nodes, edges, { x0: 0, y0: 0, x1: 600, y1: 150 });
    expect(placed.map((p) => p.id)).toEqual(['near']);
  });
});
