/**
 * Which node is under a point of the flow plane, for a big graph whose nodes are drawn as shapes (no element to click):
 * nodes bucketed by a grid of cells about a node's size, so a lookup checks a few nodes instead of a thousand.
 */
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

const CELL = 256;

export interface NodeIndex {
  cells: Map<string, { id: string; x: number; y: number }[]>;
}

function cellKey(cx: number, cy: number): string {
  return `${cx}:${cy}`;
}

/** Indexes nodes by their absolute top-left corners (each NODE_WIDTH × NODE_HEIGHT). */
export function indexNodes(positions: ReadonlyMap<string, { x: number; y: number }>): NodeIndex {
  const cells = new Map<string, { id: string; x: number; y: number }[]>();
  for (const [id, { x, y }] of positions) {
    const entry = { id, x, y };
    for (let cx = Math.floor(x / CELL); cx <= Math.floor((x + NODE_WIDTH) / CELL); cx++) {
      for (let cy = Math.floor(y / CELL); cy <= Math.floor((y + NODE_HEIGHT) / CELL); cy++) {
        const key = cellKey(cx, cy);
        const list = cells.get(key);
        if (list) list.push(entry);
        else cells.set(key, [entry]);
      }
    }
  }
  return { cells };
}

/** The node under the flow point `x, y`, the last drawn (topmost) when nodes overlap; null when none. */
export function nodeAt(index: NodeIndex, x: number, y: number): string | null {
  const list = index.cells.get(cellKey(Math.floor(x / CELL), Math.floor(y / CELL)));
  if (!list) return null;
  for (let i = list.length - 1; i >= 0; i--) {
    const node = list[i];
    if (node && x >= node.x && x <= node.x + NODE_WIDTH && y >= node.y && y <= node.y + NODE_HEIGHT) return node.id;
  }
  return null;
}
