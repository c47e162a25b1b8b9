'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import '@xyflow/react/dist/style.css';
import './topology.css';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type RefObject, Suspense, useCallback, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { downloadGraphImage, downloadGraphJson } from '../../topology/export-graph';
import { ExpressionField } from '../../topology/expression-field';
import { type GraphExpression, parseGraphExpression } from '../../topology/graph-expression';
import { filterGraph } from '../../topology/graph-filter';
import { GRAPH_TYPES, GRAPH_WINDOWS, type TopologyGraph } from '../../topology/graph-shape';
import { NodePanel } from '../../topology/node-panel';
import { ReplayBar } from '../../topology/replay-bar';
import { ANIMATE_MAX_EDGES, TopologyCanvas } from '../../topology/topology-canvas';
import { useElkLayout } from '../../topology/use-elk-layout';
import { EDGE_LABELS, parseViewState, serializeViewState, type TopologyViewState } from '../../topology/view-state';

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

/** A valid expression from the URL, or null (an invalid one is explained by its field and applies nothing). */
function expressionOf(text: string): GraphExpression | null {
  if (text === '') return null;
  const parsed = parseGraphExpression(text);
  return parsed.ok ? parsed.expression : null;
}

/** The canvas with find/hide applied and the layout of what is left; only mounted once there is a graph. */
function GraphArea({
  data,
  view,
  onSelect,
  resetPositions,
  canvasRef,
}: {
  data: TopologyGraph;
  view: TopologyViewState;
  onSelect: (id: string | null) => void;
  resetPositions: number;
  canvasRef: RefObject<HTMLDivElement | null>;
}) {
  const find = useMemo(() => expressionOf(view.find), [view.find]);
  const hide = useMemo(() => expressionOf(view.hide), [view.hide]);
  const filtered = useMemo(() => filterGraph(data, find, hide), [data, find, hide]);
  const layout = useElkLayout(filtered);
  const options = useMemo(
    () => ({
      graphType: view.graphType,
      labels: view.labels,
      animate: view.animate,
      boxes: view.boxes,
      selected: view.node,
      finding: find !== null,
    }),
    [view.graphType, view.labels, view.animate, view.boxes, view.node, find],
  );
  return (
    <TopologyCanvas
      graph={filtered}
      layout={layout}
      options={options}
      onSelect={onSelect}
      resetPositions={resetPositions}
      canvasRef={canvasRef}
    />
  );
}

function TopologyView() {
  const [view, setView] = useViewState();
  const [live, setLive] = useState(true);
  const [resetPositions, setResetPositions] = useState(0);
  const [exportError, setExportError] = useState<string | null>(null);
  const canvasRef = useRef<HTMLDivElement | null>(null);
  const replaying = view.at !== null;
  const graph = useQuery({
    queryKey: ['topology.graph', view.window, view.graphType, view.at],
    queryFn: () =>
      api.topology.view.query(
        view.at === null
          ? { window: view.window, graphType: view.graphType }
          : { window: view.window, graphType: view.graphType, at: view.at },
      ),
    // A replay shows one moment: nothing to refresh.
    refetchInterval: live && !replaying ? REFRESH_MS : false,
    // Keep showing the last graph while the next window loads, so nothing flashes or resets.
    placeholderData: keepPreviousData,
    // Comparing a big answer with the last one costs more than it saves: the canvas keeps unchanged nodes itself.
    structuralSharing: false,
  });
  const selected = graph.data?.nodes.find((n) => n.id === view.node) ?? null;
  const onSelect = useCallback((id: string | null) => setView({ node: id }), [setView]);
  const onReplay = useCallback((at: number | null) => setView({ at }), [setView]);
  const exportImage = (format: 'png' | 'svg') => {
    const canvas = canvasRef.current;
    if (!graph.data || !canvas) return;
    setExportError(null);
    downloadGraphImage(canvas, graph.data, format).catch((error: unknown) => setExportError(errorMessage(error)));
  };
  // The drawn graph leaves details out: the download asks for the full graph of the same moment.
  const exportJson = () => {
    setExportError(null);
    const request =
      view.at === null
        ? { window: view.window, graphType: view.graphType }
        : { window: view.window, graphType: view.graphType, at: view.at };
    api.topology.graph
      .query(request)
      .then(downloadGraphJson)
      .catch((error: unknown) => setExportError(errorMessage(error)));
  };
  const panelRequest = useMemo(
    () => ({ window: view.window, graphType: view.graphType, at: view.at }),
    [view.window, view.graphType, view.at],
  );

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
        <ExpressionField label="Find" name="find" value={view.find} placeholder="errors > 1%" onCommit={(find) => setView({ find })} />
        <ExpressionField
          label="Hide"
          name="hide"
          value={view.hide}
          placeholder="!mtls or ns = demo"
          onCommit={(hide) => setView({ hide })}
        />
        <label className="inline">
          <input type="checkbox" checked={live} disabled={replaying} onChange={(e) => setLive(e.target.checked)} /> Live refresh
        </label>
        <label className="inline">
          <input type="checkbox" name="animate" checked={view.animate} onChange={(e) => setView({ animate: e.target.checked })} /> Animate
          traffic{(graph.data?.edges.length ?? 0) > ANIMATE_MAX_EDGES ? ` (off above ${ANIMATE_MAX_EDGES} edges)` : ''}
        </label>
        <label className="inline">
          <input type="checkbox" name="boxes" checked={view.boxes} onChange={(e) => setView({ boxes: e.target.checked })} /> Namespace boxes
        </label>
        <button type="button" className="button subtle" onClick={() => setResetPositions((n) => n + 1)}>
          Reset positions
        </button>
        <button type="button" className="button" disabled={!graph.data} onClick={() => exportImage('png')}>
          Export PNG
        </button>
        <button type="button" className="button" disabled={!graph.data} onClick={() => exportImage('svg')}>
          Export SVG
        </button>
        <button type="button" className="button" disabled={!graph.data} onClick={exportJson}>
          Export JSON
        </button>
      </form>
      <ReplayBar at={view.at} onChange={onReplay} />
      {exportError ? (
        <p className="error" role="alert">
          Could not export: {exportError}
        </p>
      ) : null}
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
          {replaying ? (
            <p className="muted" data-testid="graph-time" data-timestamp={graph.data.timestamp}>
              Graph at {new Date(graph.data.timestamp).toLocaleString()} (replay)
            </p>
          ) : null}
          <div className="topology">
            <div className="topology-canvas">
              {graph.data.nodes.length === 0 ? (
                <p className="muted">The mesh has no services or workloads yet.</p>
              ) : (
                <GraphArea data={graph.data} view={view} onSelect={onSelect} resetPositions={resetPositions} canvasRef={canvasRef} />
              )}
            </div>
            {selected ? (
              <NodePanel graph={graph.data} node={selected} request={panelRequest} onClose={() => onSelect(null)} />
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
