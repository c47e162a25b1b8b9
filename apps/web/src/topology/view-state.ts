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
  /** Find expression (graph-expression.ts); '' for none. */
  find: string;
  /** Hide expression; '' for none. */
  hide: string;
  /** Replay: the graph at this time (ms since the epoch) instead of live; null for live. */
  at: number | null;
  /** Moving dots along edges with traffic. */
  animate: boolean;
  /** Namespace boxes around each namespace's nodes. */
  boxes: boolean;
}

export const DEFAULT_VIEW: TopologyViewState = {
  window: '5m',
  graphType: 'workload',
  labels: 'rate',
  node: null,
  find: '',
  hide: '',
  at: null,
  animate: true,
  boxes: true,
};

function oneOf<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function flag(value: string | null, fallback: boolean): boolean {
  return value === '1' ? true : value === '0' ? false : fallback;
}

/** Unknown values fall back to the defaults, so a hand-edited link still opens. */
export function parseViewState(query: URLSearchParams): TopologyViewState {
  const at = Number(query.get('at'));
  return {
    window: oneOf(GRAPH_WINDOWS, query.get('window'), DEFAULT_VIEW.window),
    graphType: oneOf(GRAPH_TYPES, query.get('graph'), DEFAULT_VIEW.graphType),
    labels: oneOf(EDGE_LABELS, query.get('labels'), DEFAULT_VIEW.labels),
    node: query.get('node') || null,
    find: query.get('find') ?? '',
    hide: query.get('hide') ?? '',
    at: Number.isSafeInteger(at) && at > 0 ? at : null,
    animate: flag(query.get('animate'), DEFAULT_VIEW.animate),
    boxes: flag(query.get('boxes'), DEFAULT_VIEW.boxes),
  };
}

/** Only what differs from the defaults, so links stay short. */
export function serializeViewState(state: TopologyViewState): string {
  const query = new URLSearchParams();
  if (state.window !== DEFAULT_VIEW.window) query.set('window', state.window);
  if (state.graphType !== DEFAULT_VIEW.graphType) query.set('graph', state.graphType);
  if (state.labels !== DEFAULT_VIEW.labels) query.set('labels', state.labels);
  if (state.node) query.set('node', state.node);
  if (state.find) query.set('find', state.find);
  if (state.hide) query.set('hide', state.hide);
  if (state.at !== null) query.set('at', String(state.at));
  if (state.animate !== DEFAULT_VIEW.animate) query.set('animate', state.animate ? '1' : '0');
  if (state.boxes !== DEFAULT_VIEW.boxes) query.set('boxes', state.boxes ? '1' : '0');
  return query.toString();
}
