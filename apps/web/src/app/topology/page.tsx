'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Background, Controls, type EdgeTypes, MarkerType, type NodeTypes, ReactFlow, useNodesState } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { edgeLabel, isMutualTls } from '../../topology/edge-label';
import { downloadGraphJson } from '../../topology/export-graph';
import { GRAPH_TYPES, GRAPH_WINDOWS, type TopologyGraph } from '../../topology/graph-shape';
import { describeNode, MeshNode, type MeshNodeType } from '../../topology/mesh-node';
import { NodePanel } from '../../topology/node-panel';
import { SecureEdge, type SecureEdgeType } from '../../topology/secure-edge';
import { useElkLayout } from '../../topology/use-elk-layout';
import { EDGE_LABELS, parseViewState, serializeViewState, type TopologyViewState } from '../../topology/view-state';

// Module constants: React Flow re-creates every node when these objects change identity.
const NODE_TYPES: NodeTypes = { mesh: MeshNode };
const EDGE_TYPES: EdgeTypes = { secure: SecureEdge };
const REFRESH_MS = 5_000;

const GRAPH_TYPE_LABEL: Record<(typeof GRAPH_TYPES)[number], string> = {
  workload: 'Workload',
  versionedApp: 'Versioned app',
  app: 'App',
  service: 'Service',
};

function useViewState(): [TopologyViewState, (change: Partial<TopologyViewState>) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = useMemo(() => parseViewState(new URLSearchParams(params.toString())), [params]);
  const update = useCallback(
    (change: Partial<TopologyViewState>) => {
      const query = serializeViewState({ ...state, ...change });
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [state, router, pathname],
  );
  return [state, update];
}

function TopologyCanvas({
  graph,
  view,
  animate,
  onSelect,
}: {
  graph: TopologyGraph;
  view: TopologyViewState;
  animate: boolean;
  onSelect: (id: string | null) => void;
}) {
  const layout = useElkLayout(graph);
  const [nodes, setNodes, onNodesChange] = useNodesState<MeshNodeType>([]);

  // New data refreshes node contents; a node the user dragged keeps its place, and the viewport is never touched.
  useEffect(() => {
    const positions = layout.positions;
    if (!positions) return;
    setNodes((previous) => {
      const placed = new Map(previous.map((n) => [n.id, n.position]));
      return graph.nodes.map((node) => ({
        id: node.id,
        type: 'mesh' as const,
        position: placed.get(node.id) ?? positions[node.id] ?? { x: 0, y: 0 },
        data: { node },
        ariaLabel: describeNode(node),
        selected: node.id === view.node,
      }));
    });
  }, [graph, layout.positions, view.node, setNodes]);

  const edges = useMemo<SecureEdgeType[]>(
    () =>
      graph.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'secure' as const,
        animated: animate && (edge.requestsPerSecond > 0 || edge.bytesPerSecond > 0),
        markerEnd: { type: MarkerType.ArrowClosed },
        data: { label: edgeLabel(edge, view.labels), mtls: isMutualTls(edge) },
      })),
    [graph.edges, view.labels, animate],
  );

  if (layout.error) {
    return (
      <p className="error" role="alert">
        Could not lay out the graph: {layout.error}
      </p>
    );
  }
  if (!layout.positions || nodes.length === 0) {
    return (
      <p className="muted" role="status">
        Laying out {graph.nodes.length} nodes…
      </p>
    );
  }
  return (
    <ReactFlow<MeshNodeType, SecureEdgeType>
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      edgeTypes={EDGE_TYPES}
      onNodesChange={onNodesChange}
      onNodeClick={(_, node) => onSelect(node.id)}
      onPaneClick={() => onSelect(null)}
      nodesConnectable={false}
      fitView
      minZoom={0.05}
      onlyRenderVisibleElements
      aria-label="Service graph"
    >
      <Background />
      <Controls />
    </ReactFlow>
  );
}

function TopologyView() {
  const [view, setView] = useViewState();
  const [live, setLive] = useState(true);
  const [animate, setAnimate] = useState(true);
  const graph = useQuery({
    queryKey: ['topology.graph', view.window, view.graphType],
    queryFn: () => api.topology.graph.query({ window: view.window, graphType: view.graphType }),
    refetchInterval: live ? REFRESH_MS : false,
    // Keep showing the last graph while the next window loads, so nothing flashes or resets.
    placeholderData: keepPreviousData,
  });
  const selected = graph.data?.nodes.find((n) => n.id === view.node) ?? null;
  const onSelect = useCallback((id: string | null) => setView({ node: id }), [setView]);

  return (
    <>
      <h1>Topology</h1>
      <form className="toolbar" aria-label="Graph options" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window
          <select name="window" value={view.window} onChange={(e) => setView({ window: e.target.value as TopologyViewState['window'] })}>
            {GRAPH_WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          Graph
          <select
            name="graph"
            value={view.graphType}
            onChange={(e) => setView({ graphType: e.target.value as TopologyViewState['graphType'] })}
          >
            {GRAPH_TYPES.map((t) => (
              <option key={t} value={t}>
                {GRAPH_TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Edge labels
          <select name="labels" value={view.labels} onChange={(e) => setView({ labels: e.target.value as TopologyViewState['labels'] })}>
            {EDGE_LABELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live refresh
        </label>
        <label className="inline">
          <input type="checkbox" checked={animate} onChange={(e) => setAnimate(e.target.checked)} /> Animate traffic
        </label>
        <button type="button" className="button" disabled={!graph.data} onClick={() => graph.data && downloadGraphJson(graph.data)}>
          Export JSON
        </button>
      </form>
      {graph.isPending ? (
        <p className="muted" role="status">
          Loading the graph…
        </p>
      ) : graph.isError && !graph.data ? (
        <div className="error" role="alert">
          <p>Could not load the graph: {errorMessage(graph.error)}</p>
          <button type="button" className="button" onClick={() => void graph.refetch()}>
            Try again
          </button>
        </div>
      ) : graph.data ? (
        <>
          {graph.data.telemetryBackend === null ? (
            <p className="notice" role="note" data-testid="no-telemetry">
              No telemetry back end is connected to the control plane yet: the graph shows the registry&apos;s services and workloads,
              without traffic.
            </p>
          ) : null}
          <div className="topology">
            <div className="topology-canvas">
              {graph.data.nodes.length === 0 ? (
                <p className="muted">The mesh has no services or workloads yet.</p>
              ) : (
                <TopologyCanvas graph={graph.data} view={view} animate={animate} onSelect={onSelect} />
              )}
            </div>
            {selected ? (
              <NodePanel graph={graph.data} node={selected} onClose={() => onSelect(null)} />
            ) : (
              <p className="muted">Select a node for its details.</p>
            )}
          </div>
        </>
      ) : null}
      {graph.isError && graph.data ? (
        <p className="error" role="alert">
          Refresh failed ({errorMessage(graph.error)}); showing the graph from {new Date(graph.data.timestamp).toLocaleTimeString()}.
        </p>
      ) : null}
    </>
  );
}

export default function TopologyPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <TopologyView />
    </Suspense>
  );
}
