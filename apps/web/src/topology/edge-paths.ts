/**
 * Where a big graph's edges go: React Flow's bezier curve between a node's right side and the next one's left side,
 * gathered into one path string per look, with the arrowheads and each edge's label place (edge-sheet.tsx draws them).
 */
import { getBezierPath, Position } from '@xyflow/react';
import type { FindMark } from './mesh-node';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

/** What the sheet needs of an edge: its ends and how it looks (as SecureEdge draws it). */
export interface SheetEdge {
  id: string;
  source: string;
  target: string;
  data?: { label: string; mtls: boolean; mark: FindMark } | undefined;
}

/** What the sheet needs of a node: where it is, relative to its parent box when it has one. */
export interface SheetNode {
  id: string;
  position: { x: number; y: number };
  parentId?: string | undefined;
}

/** A part of the flow plane: the edges outside it are left out. */
export interface Area {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How far a bezier may bulge out of the box between its ends (a backward edge curves out past both nodes). */
const CURVE_MARGIN = 120;

export interface Look {
  mtls: boolean;
  mark: FindMark;
  lines: string[];
  arrows: string[];
}

export interface Placed {
  id: string;
  x: number;
  y: number;
  label: string;
  mtls: boolean;
  mark: FindMark;
}

/** About React Flow's closed arrowhead at stroke width 1: edges leave a node's right side and enter the next's left side, pointing right. */
const ARROW_LENGTH = 5;
const ARROW_HALF_WIDTH = 3;

/**
 * The paths of every look and each edge's label place, from the nodes' absolute positions and React Flow's bezier curve;
 * only edges that may cross `within`, when given.
 */
export function drawEdges(nodes: readonly SheetNode[], edges: readonly SheetEdge[], within?: Area): { looks: Look[]; placed: Placed[] } {
  const at = absolutePositions(nodes);
  const looks = new Map<string, Look>();
  const placed: Placed[] = [];
  for (const edge of edges) {
    const from = at(edge.source);
    const to = at(edge.target);
    if (!from || !to) continue;
    const sourceX = from.x + NODE_WIDTH;
    const sourceY = from.y + NODE_HEIGHT / 2;
    const targetX = to.x;
    const targetY = to.y + NODE_HEIGHT / 2;
    if (
      within &&
      (Math.max(sourceX, targetX) + CURVE_MARGIN < within.x0 ||
        Math.min(sourceX, targetX) - CURVE_MARGIN > within.x1 ||
        Math.max(sourceY, targetY) + CURVE_MARGIN < within.y0 ||
        Math.min(sourceY, targetY) - CURVE_MARGIN > within.y1)
    ) {
      continue;
    }
    const mtls = edge.data?.mtls ?? false;
    const mark = edge.data?.mark;
    const key = `${mtls}-${mark ?? ''}`;
    let look = looks.get(key);
    if (!look) {
      look = { mtls, mark, lines: [], arrows: [] };
      looks.set(key, look);
    }
    const [path, labelX, labelY] = getBezierPath({
      sourceX,
      sourceY,
      sourcePosition: Position.Right,
      targetX,
      targetY,
      targetPosition: Position.Left,
    });
    look.lines.push(path);
    look.arrows.push(
      `M${targetX - ARROW_LENGTH},${targetY - ARROW_HALF_WIDTH}L${targetX},${targetY}L${targetX - ARROW_LENGTH},${targetY + ARROW_HALF_WIDTH}Z`,
    );
    placed.push({ id: edge.id, x: labelX, y: labelY, label: edge.data?.label ?? '', mtls, mark });
  }
  return { looks: [...looks.values()], placed };
}

/** Each node's absolute position (a node in a namespace box is placed relative to it), looked up by id. */
export function absolutePositions(nodes: readonly SheetNode[]): (id: string) => { x: number; y: number } | undefined {
  const relative = new Map<string, SheetNode>();
  for (const node of nodes) relative.set(node.id, node);
  const absolute = new Map<string, { x: number; y: number }>();
  const at = (id: string): { x: number; y: number } | undefined => {
    const known = absolute.get(id);
    if (known) return known;
    const node = relative.get(id);
    if (!node) return undefined;
    const parent = node.parentId ? at(node.parentId) : undefined;
    const point = parent ? { x: parent.x + node.position.x, y: parent.y + node.position.y } : node.position;
    absolute.set(id, point);
    return point;
  };
  return at;
}
