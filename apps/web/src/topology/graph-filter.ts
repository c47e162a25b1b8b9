import { type GraphExpression, matchesEdge, matchesNode } from './graph-expression';
import type { TopologyEdge, TopologyGraph, TopologyNode } from './graph-shape';

/** What the canvas draws after find and hide: hidden elements are gone, found ones are marked. */
export interface FilteredGraph {
  /** The graph's namespace boxes (drawn around what is left of each namespace). */
  boxes: TopologyGraph['namespaces'];
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  found: ReadonlySet<string>;
}

const NOTHING: ReadonlySet<string> = new Set();

/**
 * Hide removes matching nodes (and their edges) and matching edges; find marks what matches among the rest.
 * Without expressions the graph's own arrays are returned, so nothing downstream recomputes.
 */
export function filterGraph(graph: TopologyGraph, find: GraphExpression | null, hide: GraphExpression | null): FilteredGraph {
  if (!find && !hide) return { boxes: graph.namespaces, nodes: graph.nodes, edges: graph.edges, found: NOTHING };
  const byId = new Map<string, TopologyNode>();
  for (const node of graph.nodes) byId.set(node.id, node);
  let nodes = graph.nodes;
  let edges = graph.edges;
  if (hide) {
    nodes = nodes.filter((n) => !matchesNode(hide, n));
    const kept = new Set<string>();
    for (const node of nodes) kept.add(node.id);
    edges = edges.filter((e) => kept.has(e.source) && kept.has(e.target) && !matchesEdge(hide, e, byId));
  }
  if (!find) return { boxes: graph.namespaces, nodes, edges, found: NOTHING };
  const found = new Set<string>();
  for (const node of nodes) if (matchesNode(find, node)) found.add(node.id);
  for (const edge of edges) if (matchesEdge(find, edge, byId)) found.add(edge.id);
  return { boxes: graph.namespaces, nodes, edges, found };
}
