'use client';

import { useEffect, useRef, useState } from 'react';
import type { TopologyGraph } from './graph-shape';
import type { LayoutRequest, LayoutResponse } from './layout-messages';

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 52;

/** Same nodes and edges → same layout: a live refresh with new numbers must not move anything. */
function structureKey(graph: TopologyGraph): string {
  const nodes = graph.nodes.map((n) => n.id).sort();
  const edges = graph.edges.map((e) => `${e.source}>${e.target}`).sort();
  return `${nodes.join('|')}#${edges.join('|')}`;
}

export interface LayoutState {
  positions: LayoutResponse['positions'] | null;
  error: string | null;
}

/** Lays the graph out with ELK in a Web Worker; re-lays only when nodes or edges come or go. */
export function useElkLayout(graph: TopologyGraph | undefined): LayoutState {
  const workerRef = useRef<Worker | null>(null);
  const lastRequest = useRef(0);
  const [state, setState] = useState<LayoutState>({ positions: null, error: null });
  const key = graph ? structureKey(graph) : null;
  const graphRef = useRef(graph);
  graphRef.current = graph;

  useEffect(() => {
    const worker = new Worker(new URL('./elk-layout.worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
      // An older layout finishing late must not overwrite a newer one.
      if (event.data.requestId !== lastRequest.current) return;
      setState(event.data.error ? { positions: null, error: event.data.error } : { positions: event.data.positions, error: null });
    };
    worker.onerror = (event) => setState({ positions: null, error: event.message || 'the layout worker failed' });
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
      nodes: current.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
      edges: current.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    };
    worker.postMessage(request);
  }, [key]);

  return state;
}
