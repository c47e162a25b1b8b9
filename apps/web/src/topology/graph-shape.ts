import type { RouterInputs, RouterOutputs } from '../api/types';

/** The BFF's topology.graph answer (the control plane's TopologyGraph plus the telemetry back end in use). */
export type TopologyGraph = RouterOutputs['topology']['graph'];
export type TopologyNode = TopologyGraph['nodes'][number];
export type TopologyEdge = TopologyGraph['edges'][number];

export type GraphWindow = NonNullable<RouterInputs['topology']['graph']['window']>;
export type GraphType = NonNullable<RouterInputs['topology']['graph']['graphType']>;

export const GRAPH_WINDOWS = ['1m', '5m', '15m', '30m', '1h'] as const satisfies readonly GraphWindow[];
export const GRAPH_TYPES = ['workload', 'versionedApp', 'app', 'service'] as const satisfies readonly GraphType[];
