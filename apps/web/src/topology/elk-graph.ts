import type { ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutRequest, LayoutResponse } from './layout-messages';

const LAYERED = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '30',
  'elk.layered.spacing.nodeNodeBetweenLayers': '90',
  // Edges are drawn by React Flow from handle to handle; ELK need not route them.
  'elk.edgeRouting': 'POLYLINE',
  // Unconnected nodes (idle workloads) are packed beside the rest instead of in one tall column.
  'elk.separateConnectedComponents': 'true',
  // Speed over polish: with ELK's defaults 1,000 nodes / 3,000 edges took 4–60 s, with these under 1 s (bench/console-topology).
  'elk.layered.thoroughness': '1',
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
};
const BOX_PADDING = '[top=36,left=16,bottom=16,right=16]';

export function groupId(group: string): string {
  return `ns:${group}`;
}

/**
 * The ELK graph of a request. With groups, each box is laid out on its own (ELK's default
 * SEPARATE_CHILDREN) with the edges inside it, and the boxes are placed by one edge per pair of
 * boxes that talk — far cheaper than routing thousands of edges across the hierarchy.
 */
export function elkGraph(request: LayoutRequest): ElkNode {
  const boxes = new Map<string, ElkNode & { children: ElkNode[]; edges: NonNullable<ElkNode['edges']> }>();
  const groupOf = new Map<string, string>();
  const root: ElkNode & { children: ElkNode[]; edges: NonNullable<ElkNode['edges']> } = {
    id: 'root',
    layoutOptions: LAYERED,
    children: [],
    edges: [],
  };
  for (const node of request.nodes) {
    const child: ElkNode = { id: node.id, width: node.width, height: node.height };
    if (node.group === undefined) {
      root.children.push(child);
      continue;
    }
    groupOf.set(node.id, node.group);
    let box = boxes.get(node.group);
    if (!box) {
      box = { id: groupId(node.group), layoutOptions: { ...LAYERED, 'elk.padding': BOX_PADDING }, children: [], edges: [] };
      boxes.set(node.group, box);
      root.children.push(box);
    }
    box.children.push(child);
  }
  const between = new Set<string>();
  for (const edge of request.edges) {
    const from = groupOf.get(edge.source);
    const to = groupOf.get(edge.target);
    if (from !== undefined && from === to) {
      boxes.get(from)?.edges.push({ id: edge.id, sources: [edge.source], targets: [edge.target] });
      continue;
    }
    const source = from === undefined ? edge.source : groupId(from);
    const target = to === undefined ? edge.target : groupId(to);
    const id = `${source}->${target}`;
    if (source === target || between.has(id)) continue;
    between.add(id);
    root.edges.push({ id, sources: [source], targets: [target] });
  }
  return root;
}

/** Positions out of ELK's answer: grouped nodes relative to their box, boxes and loose nodes absolute. */
export function layoutPositions(laid: ElkNode, requestId: number): LayoutResponse {
  const positions: LayoutResponse['positions'] = {};
  const groups: LayoutResponse['groups'] = {};
  for (const child of laid.children ?? []) {
    if (child.children && child.children.length > 0 && child.id.startsWith('ns:')) {
      groups[child.id.slice(3)] = { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 };
      for (const inner of child.children) positions[inner.id] = { x: inner.x ?? 0, y: inner.y ?? 0 };
    } else {
      positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
    }
  }
  return { requestId, positions, groups };
}
