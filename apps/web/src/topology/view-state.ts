import { GRAPH_TYPES, GRAPH_WINDOWS, type GraphType, type GraphWindow } from './graph-shape';

export const EDGE_LABELS = ['rate', 'errors', 'latency', 'security'] as const;
export type EdgeLabelMode = (typeof EDGE_LABELS)[number];

/** Everything a topology link must reproduce; it lives in the URL query so reloads and bookmarks keep it. */
export interface TopologyViewState {
  window: GraphWindow;
  graphType: GraphType;
  labels: EdgeLabelMode;
  /** Selected node id, or null. */
  node: string | null;
}

export const DEFAULT_VIEW: TopologyViewState = { window: '5m', graphType: 'workload', labels: 'rate', node: null };

function oneOf<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Unknown values fall back to the defaults, so a hand-edited link still opens. */
export function parseViewState(query: URLSearchParams): TopologyViewState {
  return {
    window: oneOf(GRAPH_WINDOWS, query.get('window'), DEFAULT_VIEW.window),
    graphType: oneOf(GRAPH_TYPES, query.get('graph'), DEFAULT_VIEW.graphType),
    labels: oneOf(EDGE_LABELS, query.get('labels'), DEFAULT_VIEW.labels),
    node: query.get('node') || null,
  };
}

/** Only what differs from the defaults, so links stay short. */
export function serializeViewState(state: TopologyViewState): string {
  const query = new URLSearchParams();
  if (state.window !== DEFAULT_VIEW.window) query.set('window', state.window);
  if (state.graphType !== DEFAULT_VIEW.graphType) query.set('graph', state.graphType);
  if (state.labels !== DEFAULT_VIEW.labels) query.set('labels', state.labels);
  if (state.node) query.set('node', state.node);
  return query.toString();
}
