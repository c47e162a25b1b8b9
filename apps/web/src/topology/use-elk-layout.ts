'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import type { TopologyGraph } from './graph-shape';
import type { LayoutRequest, LayoutResponse } from './layout-messages';

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 52;

/** Same nodes and edges → same layout: a live refresh with new numbers must not move anything. */
function structureKey(graph: LaidOutGraph): string {
  const nodes = graph.nodes.map((n) => n.id).sort();
  const edges = graph.edges.map((e) => `${e.source}>${e.target}`).sort();
  return `${nodes.join('|')}#${edges.join('|')}`;
}

/** What the layout depends on: the nodes and edges left after hiding. */
export type LaidOutGraph = Pick<TopologyGraph, 'nodes' | 'edges'>;

export interface LayoutState {
  positions: LayoutResponse['positions'] | null;
  groups: LayoutResponse['groups'];
  error: string | null;
}

const NO_GROUPS: LayoutResponse['groups'] = {};

/** Lays the graph out with ELK in a Web Worker; re-lays only when nodes or edges come or go. */
export function useElkLayout(graph: LaidOutGraph | undefined): LayoutState {
  const workerRef = useRef<Worker | null>(null);
  const lastRequest = useRef(0);
  const [state, setState] = useState<LayoutState>({ positions: null, groups: NO_GROUPS, error: null });
  // Sorting and joining 4,000 ids is not free: once per graph, not per render.
  const key = useMemo(() => (graph ? structureKey(graph) : null), [graph]);
  const graphRef = useRef(graph);
  graphRef.current = graph;

  useEffect(() => {
    const worker = new Worker(new URL('./elk-layout.worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
      // An older layout finishing late must not overwrite a newer one.
      if (event.data.requestId !== lastRequest.current) return;
      const { positions, groups, error } = event.data;
      setState(error ? { positions: null, groups: NO_GROUPS, error } : { positions, groups, error: null });
    };
    worker.onerror = (event) => setState({ positions: null, groups: NO_GROUPS, error: event.message || 'the layout worker failed' });
    return () => {
      worker.terminate();
      workerRef.current = null;
    };
  }, []);

  useEffect(() => {
    const current = graphRef.current;
    const worker = workerRef.current;
    if (key === null || !current || !worker) return;
    lastRequest.current += 1;
    const request: LayoutRequest = {
      requestId: lastRequest.current,
      // Always by namespace: each box is laid out on its own (fast), and the page draws the boxes or not.
      nodes: current.nodes.map((n) =>
        n.namespace
          ? { id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT, group: n.namespace }
          : { id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT },
      ),
      edges: current.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    };
    worker.postMessage(request);
  }, [key]);

  return state;
}
