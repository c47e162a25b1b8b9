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

  /** Let go once both outputs exist: the drafts (tallies, bucket rates, principal sets) are the bulk of a build. */
  private parts: BuiltTopologyParts | undefined;

  constructor(parts: BuiltTopologyParts) {
    this.parts = parts;
  }

  /** The whole graph: every node and edge with all their details. */
  graph(): TopologyGraph {
    if (this.full) return this.full;
    const parts = this.parts as BuiltTopologyParts;
    const { rules, bounds, edges } = parts;
    const out = new Array<TopologyGraph['edges'][number]>(edges.length);
    for (let i = 0; i < edges.length; i++) out[i] = edgeJson(edges[i] as EdgeDraft, rules, bounds);
    const full: TopologyGraph = { ...header(parts), nodes: parts.nodes, edges: out };
    this.full = full;
    if (this.shown) this.parts = undefined;
    return full;
  }

  /** The same nodes and edges, in the same order, with only what the canvas draws and filters by (`graphView` of `graph()`). */
  view(): GraphView {
    if (this.shown) return this.shown;
    const parts = this.parts as BuiltTopologyParts;
    const { rules, bounds, edges } = parts;
    const out = new Array<GraphView['edges'][number]>(edges.length);
    for (let i = 0; i < edges.length; i++) out[i] = edgeViewJson(edges[i] as EdgeDraft, rules, bounds);
    const shown: GraphView = { ...header(parts), nodes: parts.nodes.map(viewNode), edges: out };
    this.shown = shown;
    if (this.full) this.parts = undefined;
    return shown;
  }
}

function header(p: BuiltTopologyParts): Pick<TopologyGraph, 'timestamp' | 'window' | 'graphType' | 'namespaces'> {
  return { timestamp: p.timestamp, window: { seconds: p.windowSeconds }, graphType: p.graphType, namespaces: p.namespaces };
}
