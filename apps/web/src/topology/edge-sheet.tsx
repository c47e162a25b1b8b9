'use client';

import { type ReactFlowState, useStoreApi } from '@xyflow/react';
import { memo, useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { MOVE_REST_MS } from './detail-level';
import { type Area, drawEdges, type Placed, type SheetEdge, type SheetNode } from './edge-paths';
import { labelsShown } from './label-layer';
import { SecurityIcon } from './security-icon';

/** What the sheet draws: edges that may cross `area` (the view and half its size around it), labels when zoomed in enough. */
interface SheetView {
  area: Area | undefined;
  zoom: number;
  labels: boolean;
}

/** How much of the view's size is drawn beyond each of its sides: a pan shorter than that shows everything at once. */
const AREA_MARGIN = 0.5;

/** The sheet's view for React Flow's current viewport; no area (everything) until the pane has a size. */
function viewOf(state: Pick<ReactFlowState, 'transform' | 'width' | 'height'>, before: SheetView | null): SheetView {
  const [x, y, zoom] = state.transform;
  const labels = labelsShown(zoom, before?.labels ?? false);
  if (!(state.width > 0 && state.height > 0 && zoom > 0)) return { area: undefined, zoom, labels };
  const width = state.width / zoom;
  const height = state.height / zoom;
  const x0 = -x / zoom;
  const y0 = -y / zoom;
  const marginX = width * AREA_MARGIN;
  const marginY = height * AREA_MARGIN;
  return { area: { x0: x0 - marginX, y0: y0 - marginY, x1: x0 + width + marginX, y1: y0 + height + marginY }, zoom, labels };
}

/** Whether `view` still serves the viewport `next`: same labels, the visible part inside its area, about the same zoom. */
function stillServes(view: SheetView, next: SheetView): boolean {
  if (view.labels !== next.labels) return false;
  const area = view.area;
  if (!area || !next.area) return !area && !next.area;
  const width = ((next.area.x1 - next.area.x0) / (1 + 2 * AREA_MARGIN)) * AREA_MARGIN;
  const height = ((next.area.y1 - next.area.y0) / (1 + 2 * AREA_MARGIN)) * AREA_MARGIN;
  const inside =
    next.area.x0 + width >= area.x0 &&
    next.area.x1 - width <= area.x1 &&
    next.area.y0 + height >= area.y0 &&
    next.area.y1 - height <= area.y1;
  return inside && next.zoom < view.zoom * 2;
}

const PLAINTEXT_STYLE = { strokeDasharray: '6 4', stroke: 'var(--bad)' } as const;
const PLAINTEXT_ARROW = { fill: 'var(--bad)' } as const;
/**
 * A big graph's edges as one SVG path per look (mTLS or plaintext, found, dimmed or plain) and their arrowheads as one
 * filled path beside it, instead of an element (and marker) per edge: panning and zooming 3,000 edges then repaints a
 * dozen paths. Edges are not pointer targets either way (the side panel lists a node's edges). Labels (lock and rate) are
 * still one element each, portalled with the paths into React Flow's label layer (between the namespace boxes and the
 * nodes). What is drawn follows the viewport when it comes to rest: the edges that may cross the view and half its size
 * around it (a shorter pan shows everything; a longer one fills in when it stops), and labels only when zoomed in enough to read them.
 */
export const EdgeSheet = memo(function EdgeSheet({
  nodes,
  edges,
  layer,
}: {
  nodes: readonly SheetNode[];
  edges: readonly SheetEdge[];
  layer: HTMLElement;
}) {
  // The drawn area and labels follow the viewport once it rests: no React work while panning and zooming.
  const store = useStoreApi();
  const [view, setView] = useState<SheetView>(() => viewOf(store.getState(), null));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = store.getState();
    const settle = () =>
      setView((current) => {
        const next = viewOf(store.getState(), current);
        return stillServes(current, next) ? current : next;
      });
    settle();
    const unsubscribe = store.subscribe((state) => {
      if (state.transform === last.transform && state.width === last.width && state.height === last.height) return;
      last = state;
      clearTimeout(timer);
      timer = setTimeout(settle, MOVE_REST_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store]);
  const { looks, placed } = useMemo(() => drawEdges(nodes, edges, view.area), [nodes, edges, view.area]);
  // Zoomed out, only found edges keep their labels (as the canvas's CSS shows them).
  const labelled = useMemo(() => (view.labels ? placed : placed.filter((p) => p.mark === 'found')), [placed, view.labels]);
  return createPortal(
    <>
      <svg className="edge-sheet" aria-hidden="true" data-testid="edge-sheet" data-edges={edges.length}>
        {looks.map((look) => {
          const mark = look.mark ? `mark-${look.mark}` : '';
          return (
            <g key={`${look.mtls}-${look.mark ?? ''}`}>
              <path className={`react-flow__edge-path ${mark}`} d={look.lines.join('')} style={look.mtls ? undefined : PLAINTEXT_STYLE} />
              <path className={`edge-sheet-arrows ${mark}`} d={look.arrows.join('')} style={look.mtls ? undefined : PLAINTEXT_ARROW} />
            </g>
          );
        })}
      </svg>
      <div className="edge-sheet-labels">
        {labelled.map((p) => (
          <SheetLabel key={p.id} x={p.x} y={p.y} label={p.label} mtls={p.mtls} mark={p.mark} />
        ))}
      </div>
    </>,
    layer,
  );
});

/** One edge's label, as SecureEdge draws it; memoized on its place and content, so dragging a node moves only its edges' labels. */
const SheetLabel = memo(function SheetLabel({ x, y, label, mtls, mark }: Omit<Placed, 'id'>) {
  return (
    <div
      className={`edge-label${mtls ? '' : ' plaintext'}${mark ? ` mark-${mark}` : ''}`}
      style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
      title={mtls ? 'mutual TLS' : 'plaintext: not authenticated, not encrypted'}
      data-security={mtls ? 'mtls' : 'plaintext'}
      data-testid="edge-label"
    >
      <SecurityIcon mtls={mtls} /> {label}
    </div>
  );
});
