import type { RouterInputs, RouterOutputs } from '../api/types';

/**
 * What the page draws: the BFF's topology.view answer (the control plane's GraphView plus the telemetry back end in
 * use), only the fields the canvas, labels and find/hide read.
 */
export type TopologyGraph = RouterOutputs['topology']['view'];
export type TopologyNode = TopologyGraph['nodes'][number];
export type TopologyEdge = TopologyGraph['edges'][number];
/** The full graph (topology.graph): what Export JSON downloads. */
export type FullTopologyGraph = RouterOutputs['topology']['graph'];
/** One node and its edges in full (topology.node): the side panel's details. */
export type NodeDetails = RouterOutputs['topology']['node'];
/** What names a download. */
export type GraphStamp = Pick<TopologyGraph, 'graphType' | 'window' | 'timestamp'>;

export type GraphWindow = NonNullable<RouterInputs['topology']['graph']['window']>;
export type GraphType = NonNullable<RouterInputs['topology']['graph']['graphType']>;

export const GRAPH_WINDOWS = ['1m', '5m', '15m', '30m', '1h'] as const satisfies readonly GraphWindow[];
export const GRAPH_TYPES = ['workload', 'versionedApp', 'app', 'service'] as const satisfies readonly GraphType[];
