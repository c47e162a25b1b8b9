/**
 * A graph built from telemetry, kept as its settled drafts: the full JSON (`graph`) and the console
 * canvas's view of it (`view`) are each made on first ask, so a page that only draws the graph never
 * pays for the side panel's details (response codes, principals, TCP numbers, reporters) of 3,000 edges.
 */
import type { GraphType, NamespaceBox, TopologyGraph, TopologyNode } from './graph';
import { type EdgeDraft, edgeJson, edgeViewJson } from './graph-drafts';
import { type GraphView, viewNode } from './graph-view';
import type { HealthRules } from './health';

export interface BuiltTopologyParts {
  timestamp: number;
  windowSeconds: number;
  graphType: GraphType;
  namespaces: NamespaceBox[];
  /** Sorted by id. */
  nodes: TopologyNode[];
  /** Sorted by id. */
  edges: readonly EdgeDraft[];
  rules: HealthRules;
  /** The duration buckets' upper bounds, ascending, as the edges' bucket rates are indexed. */
  bounds: readonly number[];
}

export class BuiltTopology {
  private full: TopologyGraph | undefined;
  private shown: GraphView | undefined;

  constructor(private readonly parts: BuiltTopologyParts) {}

  /** The whole graph: every node and edge with all their details. */
  graph(): TopologyGraph {
    if (this.full) return this.full;
    const { rules, bounds } = this.parts;
    const edges = this.parts.edges;
    const out = new Array<TopologyGraph['edges'][number]>(edges.length);
    for (let i = 0; i < edges.length; i++) out[i] = edgeJson(edges[i] as EdgeDraft, rules, bounds);
    this.full = { ...this.header(), nodes: this.parts.nodes, edges: out };
    return this.full;
  }

  /** The same nodes and edges, in the same order, with only what the canvas draws and filters by (`graphView` of `graph()`). */
  view(): GraphView {
    if (this.shown) return this.shown;
    const { rules, bounds } = this.parts;
    const edges = this.parts.edges;
    const out = new Array<GraphView['edges'][number]>(edges.length);
    for (let i = 0; i < edges.length; i++) out[i] = edgeViewJson(edges[i] as EdgeDraft, rules, bounds);
    this.shown = { ...this.header(), nodes: this.parts.nodes.map(viewNode), edges: out };
    return this.shown;
  }

  private header(): Pick<TopologyGraph, 'timestamp' | 'window' | 'graphType' | 'namespaces'> {
    const p = this.parts;
    return { timestamp: p.timestamp, window: { seconds: p.windowSeconds }, graphType: p.graphType, namespaces: p.namespaces };
  }
}
