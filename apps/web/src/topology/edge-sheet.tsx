'use client';

import { useStoreApi } from '@xyflow/react';
import { memo, type RefObject, startTransition, useEffect, useMemo } from 'react';
import { createPortal } from 'react-dom';
import { detailShown, MOVE_REST_MS } from './detail-level';
import { absolutePositions, drawEdges, type Placed, type SheetEdge, type SheetNode } from './edge-paths';
import { drawNodes, type ShapeNode } from './node-paths';
import { SecurityIcon } from './security-icon';
import { crossedDetail, labelArea, overlaps, type SheetView, stillServes, viewOf } from './view-area';
import { clearMotion, markMotion, motionBetween, RestClock } from './view-motion';

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
  view,
  mounted,
}: {
  nodes: readonly (SheetNode & ShapeNode)[];
  edges: readonly SheetEdge[];
  layer: HTMLElement;
  view: SheetView;
  /** Nodes that are React Flow elements: the others are drawn here as shapes (all of them when the view is far: those elements are not displayed). */
  mounted: ReadonlySet<string>;
}) {
  const at = useMemo(() => absolutePositions(nodes), [nodes]);
  const { looks, placed } = useMemo(() => drawEdges(nodes, edges, view.area), [nodes, edges, view.area]);
  // Every node that is not an element (an export of a zoomed-out graph shows them all): cheap, a few paths.
  const far = view.far;
  const shapes = useMemo(() => drawNodes(nodes, at, (id) => far || !mounted.has(id)), [nodes, at, mounted, far]);
  let shapeCount = 0;
  for (const look of shapes) shapeCount += look.rects.length;
  // Zoomed out, only found edges keep their labels (as the canvas's CSS shows them).
  const labelled = useMemo(() => {
    const near = view.labels ? labelArea(view.area) : undefined;
    return placed.filter((p) => (view.labels ? overlaps(near, p.x, p.y, 0, 0) : p.mark === 'found'));
  }, [placed, view.labels, view.area]);
  return createPortal(
    <>
      <svg className="edge-sheet" aria-hidden="true" data-testid="edge-sheet" data-edges={edges.length} data-node-shapes={shapeCount}>
        {looks.map((look) => {
          const mark = look.mark ? `mark-${look.mark}` : '';
          return (
            <g key={`${look.mtls}-${look.mark ?? ''}`}>
              <path className={`react-flow__edge-path ${mark}`} d={look.lines.join('')} style={look.mtls ? undefined : PLAINTEXT_STYLE} />
              <path className={`edge-sheet-arrows ${mark}`} d={look.arrows.join('')} style={look.mtls ? undefined : PLAINTEXT_ARROW} />
            </g>
          );
        })}
        {shapes.map((look) => (
          <path
            key={`${look.health}-${look.mark ?? ''}-${look.selected}`}
            className={`node-shape health-${look.health}${look.mark ? ` mark-${look.mark}` : ''}${look.selected ? ' selected' : ''}`}
            d={look.rects.join('')}
          />
        ))}
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

/**
 * Follows React Flow's viewport for a big graph: reports the view to draw once it rests (no React work while panning and
 * zooming), but at once when the zoom crosses into or out of readable detail, so nodes become shapes in the frame that
 * needs it (they become elements again at rest). Keeps `transform` current for clicks resolved from pane coordinates.
 */
export function ViewWatcher({
  onView,
  transform,
  canvasRef,
}: {
  /** `resting`: the view came to rest (not a zoom crossing detail levels mid-gesture). */
  onView: (update: (current: SheetView) => SheetView, resting: boolean) => void;
  transform: { current: readonly [number, number, number] };
  /** Gets `data-moving` while the view moves and `data-zooming` while its scale changes: topology.css drops detail then. */
  canvasRef: RefObject<HTMLDivElement | null>;
}) {
  const store = useStoreApi();
  useEffect(() => {
    let last = store.getState();
    let far = !detailShown(last.transform[2], false);
    const update = (resting: boolean) =>
      onView((current) => {
        const next = viewOf(store.getState(), current);
        if (stillServes(current, next)) return current;
        return resting ? next : crossedDetail(current, next);
      }, resting);
    const settle = () => {
      const canvas = canvasRef.current;
      if (canvas) clearMotion(canvas);
      // At rest nothing is waiting for a frame: React may render the new area's labels and nodes in slices.
      startTransition(() => update(true));
    };
    transform.current = last.transform;
    settle();
    const clock = new RestClock(MOVE_REST_MS, settle);
    // A pointer held on the canvas (a drag) keeps the gesture going through pauses; released anywhere.
    const press = () => clock.press();
    const release = () => clock.release();
    const canvasAtStart = canvasRef.current;
    canvasAtStart?.addEventListener('pointerdown', press, true);
    window.addEventListener('pointerup', release, true);
    window.addEventListener('pointercancel', release, true);
    window.addEventListener('blur', release);
    const unsubscribe = store.subscribe((state) => {
      if (state.transform === last.transform && state.width === last.width && state.height === last.height) return;
      const motion = motionBetween(last.transform, state.transform);
      last = state;
      transform.current = state.transform;
      const canvas = canvasRef.current;
      if (canvas) markMotion(canvas, motion);
      const nextFar = !detailShown(state.transform[2], !far);
      const crossing = nextFar !== far;
      far = nextFar;
      if (crossing) update(false);
      clock.moved();
    });
    return () => {
      clock.stop();
      unsubscribe();
      canvasAtStart?.removeEventListener('pointerdown', press, true);
      window.removeEventListener('pointerup', release, true);
      window.removeEventListener('pointercancel', release, true);
      window.removeEventListener('blur', release);
    };
  }, [store, onView, transform, canvasRef]);
  return null;
}

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
