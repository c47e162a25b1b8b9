/**
 * A big graph's nodes, zoomed out past readable text, as one SVG path per look (health, find mark, selection) instead of
 * a thousand React Flow elements: pan and zoom then repaint a handful of paths (edge-sheet.tsx draws them).
 */

import type { Area } from './edge-paths';
import type { FindMark } from './mesh-node';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';
import { overlaps } from './view-area';

/** What a node shape needs: its health, find mark and selection (a namespace box has no `node` and is not drawn). */
export interface ShapeNode {
  id: string;
  selected?: boolean | undefined;
  data: object;
}

/** What a mesh node's data holds (a namespace box's has neither). */
interface ShapeData {
  node?: { health: string };
  mark?: FindMark;
}

export interface NodeLook {
  health: string;
  mark: FindMark;
  selected: boolean;
  rects: string[];
}

/** The rectangles of the nodes `drawn` says to draw that may show in `within`, gathered by look, with where each one is. */
export function drawNodes(
  nodes: readonly ShapeNode[],
  at: (id: string) => { x: number; y: number } | undefined,
  drawn: (id: string) => boolean,
  within?: Area,
): NodeLook[] {
  const looks = new Map<string, NodeLook>();
  for (const node of nodes) {
    const data = node.data as ShapeData;
    const health = data.node?.health;
    if (health === undefined || !drawn(node.id)) continue;
    const point = at(node.id);
    if (!point || !overlaps(within, point.x, point.y, NODE_WIDTH, NODE_HEIGHT)) continue;
    const selected = Boolean(node.selected);
    const mark = data.mark;
    const key = `${health}-${mark ?? ''}-${selected}`;
    let look = looks.get(key);
    if (!look) {
      look = { health, mark, selected, rects: [] };
      looks.set(key, look);
    }
    look.rects.push(`M${point.x},${point.y}h${NODE_WIDTH}v${NODE_HEIGHT}h${-NODE_WIDTH}Z`);
  }
  return [...looks.values()];
}
