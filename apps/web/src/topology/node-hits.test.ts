import { describe, expect, it } from 'vitest';
import { indexNodes, nodeAt } from './node-hits';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

describe('nodeAt', () => {
  const index = indexNodes(
    new Map([
      ['web', { x: 0, y: 0 }],
      ['api', { x: 250, y: 10 }],
      ['db', { x: 1000, y: 600 }],
    ]),
  );

  it('finds the node a click on the plane falls on, also across grid cells', () => {
    expect(nodeAt(index, 5, 5)).toBe('web');
    expect(nodeAt(index, 250 + NODE_WIDTH - 1, 10 + NODE_HEIGHT - 1)).toBe('api');
    expect(nodeAt(index, 1000 + NODE_WIDTH / 2, 600 + NODE_HEIGHT / 2)).toBe('db');
  });

  it('finds nothing between nodes', () => {
    expect(nodeAt(index, NODE_WIDTH + 20, 5)).toBeNull();
    expect(nodeAt(index, 500, 500)).toBeNull();
    expect(nodeAt(index, -50, -50)).toBeNull();
  });
});
