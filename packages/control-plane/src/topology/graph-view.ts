/**
 * What the console's graph draws, filters and labels, without the side panel's details: at 1,000 nodes and 3,000
 * edges the full graph is 3 MB of JSON (edges' response codes, principals, TCP numbers, reporters), about a
 * quarter of it drawn. The panel asks for one node's details (`nodeDetails`) when it is opened.
 */
import type { NamespaceBox, TopologyEdge, TopologyGraph, TopologyNode } from './graph';

export type GraphViewNode = Pick<
  TopologyNode,
  'id' | 'kind' | 'namespace' | 'name' | 'app' | 'version' | 'inMesh' | 'idle' | 'root' | 'outside' | 'health' | 'traffic'
>;

export type GraphViewEdge = Pick<
  TopologyEdge,
  'id' | 'source' | 'target' | 'protocol' | 'requestsPerSecond' | 'errorRate' | 'latencyMs' | 'bytesPerSecond' | 'health'
> & { security: Pick<TopologyEdge['security'], 'policy'> };

export interface GraphView {
  timestamp: number;
  window: { seconds: number };
  graphType: TopologyGraph['graphType'];
  namespaces: NamespaceBox[];
  nodes: GraphViewNode[];
  edges: GraphViewEdge[];
}

export function viewNode(n: TopologyNode): GraphViewNode {
  const node: GraphViewNode = {
    id: n.id,
    kind: n.kind,
    namespace: n.namespace,
    name: n.name,
    inMesh: n.inMesh,
    idle: n.idle,
    root: n.root,
    health: n.health,
    traffic: n.traffic,
  };
  if (n.app !== undefined) node.app = n.app;
  if (n.version !== undefined) node.version = n.version;
  if (n.outside) node.outside = true;
  return node;
}

function viewEdge(e: TopologyEdge): GraphViewEdge {
  const edge: GraphViewEdge = {
    id: e.id,
    source: e.source,
    target: e.target,
    protocol: e.protocol,
    requestsPerSecond: e.requestsPerSecond,
    errorRate: e.errorRate,
    bytesPerSecond: e.bytesPerSecond,
    security: { policy: e.security.policy },
    health: e.health,
  };
  if (e.latencyMs) edge.latencyMs = e.latencyMs;
  return edge;
}

/** The graph as the console's canvas needs it (same nodes, edges and order). */
export function graphView(graph: TopologyGraph): GraphView {
  return {
    timestamp: graph.timestamp,
    window: graph.window,
    graphType: graph.graphType,
    namespaces: graph.namespaces,
    nodes: graph.nodes.map(viewNode),
    edges: graph.edges.map(viewEdge),
  };
}

export interface NodeDetails {
  /** null when the graph has no such node (any more). */
  node: TopologyNode | null;
  /** Its edges in and out, in full. */
  edges: TopologyEdge[];
}

/** One node of the graph with every edge touching it, in full: the side panel's content. */
export function nodeDetails(graph: TopologyGraph, id: string): NodeDetails {
  const node = graph.nodes.find((n) => n.id === id) ?? null;
  if (!node) return { node: null, edges: [] };
  return { node, edges: graph.edges.filter((e) => e.source === id || e.target === id) };
}
