'use client';

import {
  Background,
  Controls,
  type EdgeTypes,
  getViewportForBounds,
  MarkerType,
  type Node,
  type NodeHandle,
  type NodeTypes,
  Position,
  ReactFlow,
  type Rect,
  useNodesState,
  useStoreApi,
  type Viewport,
} from '@xyflow/react';
import {
  type MouseEvent,
  type PointerEvent,
  type RefObject,
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { detailShown } from './detail-level';
import { edgeLabel, isMutualTls } from './edge-label';
import { absolutePositions } from './edge-paths';
import { EdgeSheet, ViewWatcher } from './edge-sheet';
import type { FilteredGraph } from './graph-filter';
import type { GraphType } from './graph-shape';
import { LabelLayerContext, labelsShown } from './label-layer';
import { loadManualPositions, type Point, saveManualPositions, sessionPositionStorage } from './manual-positions';
import { describeNode, drawsTheSame, type FindMark, MeshNode, type MeshNodeType } from './mesh-node';
import { NamespaceBox, type NamespaceBoxType } from './namespace-box';
import { NodeFinder } from './node-finder';
import { indexNodes, type NodeIndex, nodeAt } from './node-hits';
import { SecureEdge, type SecureEdgeType } from './secure-edge';
import { nextSettled, type Settled, settledFrom } from './settled-view';
import { type LayoutState, NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';
import { overlaps, type SheetView, viewOf } from './view-area';
import type { EdgeLabelMode } from './view-state';

// Module constants: React Flow re-creates every node when these objects change identity.
const NODE_TYPES: NodeTypes = { mesh: MeshNode, namespace: NamespaceBox };
const EDGE_TYPES: EdgeTypes = { secure: SecureEdge };
const MARKER_END = { type: MarkerType.ArrowClosed } as const;
/**
 * Sizes and handles known up front: React Flow draws nodes and edges at once instead of hiding every node until
 * it was measured (a second full render of a thousand nodes), and fitView needs no measuring pass.
 */
const MESH_HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: 0, y: NODE_HEIGHT / 2, width: 1, height: 1 },
  { type: 'source', position: Position.Right, x: NODE_WIDTH, y: NODE_HEIGHT / 2, width: 1, height: 1 },
];

/** Measured up front too (nodes are drawn at exactly this size): a node mounting as it scrolls into view then changes nothing, where a first measurement re-set all thousand nodes. */
const MESH_MEASURED = { width: NODE_WIDTH, height: NODE_HEIGHT } as const;

type CanvasNode = MeshNodeType | NamespaceBoxType;

/**
 * Sets what shows at the current zoom with one store subscription writing `data-labels` (edge labels) and `data-detail`
 * (node text, arrowheads, background dots) on the canvas: no React render. Per-edge zoom selectors re-rendered every edge
 * when the zoom crossed a threshold.
 */
function ZoomDetail({ canvasRef }: { canvasRef: RefObject<HTMLDivElement | null> }) {
  const store = useStoreApi();
  useLayoutEffect(() => {
    let labels: boolean | null = null;
    let detail: boolean | null = null;
    const apply = (zoom: number) => {
      const canvas = canvasRef.current;
      if (!canvas) return;
      const nextLabels = labelsShown(zoom, labels === true);
      if (nextLabels !== labels) {
        labels = nextLabels;
        canvas.dataset.labels = nextLabels ? 'on' : 'off';
      }
      const nextDetail = detailShown(zoom, detail === true);
      if (nextDetail !== detail) {
        detail = nextDetail;
        canvas.dataset.detail = nextDetail ? 'full' : 'far';
      }
    };
    apply(store.getState().transform[2]);
    return store.subscribe((state) => apply(state.transform[2]));
  }, [store, canvasRef]);
  return null;
}

/**
 * A big graph is mounted a batch per animation frame (nodes, then edges), so no single main-thread task builds
 * thousands of elements at once; pan and zoom work from the first frame. Edges bring their (hidden) labels: fewer per batch.
 */
const NODE_BATCH = 100;
const EDGE_BATCH = 200;
const MIN_ZOOM = 0.02;
const FIT_PADDING = 0.1;
const BOX_STYLE = { pointerEvents: 'none' } as const;
const ALL = { nodes: Number.POSITIVE_INFINITY, edges: Number.POSITIVE_INFINITY };
/** Above this many edges the moving dashes are left out: repainting them every frame made zoom and pan stutter. */
export const ANIMATE_MAX_EDGES = 400;
/** Above this many edges they are drawn as an EdgeSheet (a few paths) instead of an SVG element per edge. */
export const SHEET_MIN_EDGES = ANIMATE_MAX_EDGES + 1;
const NO_EDGES: SecureEdgeType[] = [];
/** How many of a big graph's nodes are mounted per frame as they come into view (the rest are shapes until then). */
const MOUNT_BATCH = 60;

/** The viewport that shows every node: computed from the layout, so it is right before anything is mounted. */
function fitting(nodes: readonly CanvasNode[], width: number, height: number): Viewport {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const node of nodes) {
    if (node.parentId) continue; // inside its box
    minX = Math.min(minX, node.position.x);
    minY = Math.min(minY, node.position.y);
    maxX = Math.max(maxX, node.position.x + (node.width ?? NODE_WIDTH));
    maxY = Math.max(maxY, node.position.y + (node.height ?? NODE_HEIGHT));
  }
  if (!Number.isFinite(minX)) return { x: 0, y: 0, zoom: 1 };
  const bounds: Rect = { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
  return getViewportForBounds(bounds, Math.max(1, width), Math.max(1, height), MIN_ZOOM, 1.5, FIT_PADDING);
}

function markOf(found: ReadonlySet<string>, finding: boolean, id: string): FindMark {
  return finding ? (found.has(id) ? 'found' : 'dimmed') : undefined;
}

/** Same length and the very same objects in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function samePoint(a: Point, b: Point): boolean {
  return a.x === b.x && a.y === b.y;
}

export interface CanvasOptions {
  graphType: GraphType;
  labels: EdgeLabelMode;
  animate: boolean;
  boxes: boolean;
  selected: string | null;
  /** A find expression is active: what it did not find is dimmed. */
  finding: boolean;
}

/**
 * The graph on screen. New data refreshes node contents but keeps unchanged React Flow nodes and edges as they
 * were (so memoized components skip rendering); a dragged node stays where it was put; the viewport is never touched.
 */
export function TopologyCanvas({
  graph,
  layout,
  options,
  onSelect,
  resetPositions,
  canvasRef,
}: {
  graph: FilteredGraph;
  layout: LayoutState;
  options: CanvasOptions;
  onSelect: (id: string | null) => void;
  /** Bumped by the page's "reset positions" button. */
  resetPositions: number;
  canvasRef: RefObject<HTMLDivElement | null>;
}) {
  const [nodes, setNodes, onNodesChange] = useNodesState<CanvasNode>([]);
  const { graphType, labels, animate, boxes, selected, finding } = options;
  const manual = useRef<{ graphType: string; positions: Map<string, Point> } | null>(null);
  if (manual.current?.graphType !== graphType) {
    manual.current = { graphType, positions: loadManualPositions(sessionPositionStorage(), graphType) };
  }
  const resetSeen = useRef(resetPositions);
  const placedFor = useRef<LayoutState['positions']>(null);

  useEffect(() => {
    const positions = layout.positions;
    const kept = manual.current;
    if (!positions || !kept) return;
    if (resetSeen.current !== resetPositions) {
      resetSeen.current = resetPositions;
      kept.positions.clear();
      saveManualPositions(sessionPositionStorage(), graphType, kept.positions);
    }
    const groups = layout.groups;
    setNodes((previous) => {
      const before = new Map<string, CanvasNode>();
      for (const n of previous) before.set(n.id, n);
      const next: CanvasNode[] = [];
      if (boxes) {
        const present = new Set<string>();
        for (const node of graph.nodes) if (node.namespace) present.add(node.namespace);
        for (const box of graph.boxes) {
          const area = groups[box.name];
          if (!area || !present.has(box.name)) continue;
          const id = `ns:${box.name}`;
          const old = before.get(id) as NamespaceBoxType | undefined;
          if (old && old.data.box === box && samePoint(old.position, area) && old.width === area.width && old.height === area.height) {
            next.push(old);
            continue;
          }
          next.push({
            id,
            type: 'namespace',
            position: { x: area.x, y: area.y },
            width: area.width,
            height: area.height,
            measured: { width: area.width, height: area.height },
            data: { box },
            selectable: false,
            draggable: false,
            focusable: false,
            zIndex: -1,
            // A box is scenery: drags inside it pan the canvas.
            style: BOX_STYLE,
          });
        }
      }
      for (const node of graph.nodes) {
        const area = node.namespace ? groups[node.namespace] : undefined;
        const relative = kept.positions.get(node.id) ?? positions[node.id] ?? { x: 0, y: 0 };
        const inBox = boxes && area !== undefined;
        const position = inBox || !area ? relative : { x: relative.x + area.x, y: relative.y + area.y };
        const parentId = inBox ? `ns:${node.namespace}` : undefined;
        const mark = markOf(graph.found, finding, node.id);
        const isSelected = node.id === selected;
        const old = before.get(node.id) as MeshNodeType | undefined;
        if (
          old &&
          old.type === 'mesh' &&
          drawsTheSame(old.data.node, node) &&
          old.data.mark === mark &&
          old.parentId === parentId &&
          Boolean(old.selected) === isSelected &&
          samePoint(old.position, position)
        ) {
          next.push(old);
          continue;
        }
        const fresh: MeshNodeType = {
          id: node.id,
          type: 'mesh',
          position,
          data: { node, mark },
          ariaLabel: describeNode(node),
          selected: isSelected,
          width: NODE_WIDTH,
          height: NODE_HEIGHT,
          handles: MESH_HANDLES,
          measured: MESH_MEASURED,
        };
        if (parentId) fresh.parentId = parentId;
        next.push(fresh);
      }
      // A live refresh that changed nothing on screen keeps the array too, so React Flow does not re-adopt every node.
      return sameItems(previous, next) ? previous : next;
    });
    placedFor.current = positions;
  }, [graph, layout, boxes, selected, finding, graphType, resetPositions, setNodes]);

  const previousEdges = useRef(new Map<string, SecureEdgeType>());
  const previousEdgeList = useRef<SecureEdgeType[]>([]);
  const edges = useMemo<SecureEdgeType[]>(() => {
    const before = previousEdges.current;
    const after = new Map<string, SecureEdgeType>();
    const list = graph.edges.map((edge) => {
      const label = edgeLabel(edge, labels);
      const mtls = isMutualTls(edge);
      const mark = markOf(graph.found, finding, edge.id);
      const moving = animate && graph.edges.length <= ANIMATE_MAX_EDGES && (edge.requestsPerSecond > 0 || edge.bytesPerSecond > 0);
      const old = before.get(edge.id);
      const same =
        old?.data &&
        old.data.label === label &&
        old.data.mtls === mtls &&
        old.data.mark === mark &&
        old.data.moving === moving &&
        old.source === edge.source &&
        old.target === edge.target;
      const next: SecureEdgeType = same
        ? old
        : {
            id: edge.id,
            source: edge.source,
            target: edge.target,
            type: 'secure',
            markerEnd: MARKER_END,
            data: { label, mtls, mark, moving },
          };
      after.set(edge.id, next);
      return next;
    });
    previousEdges.current = after;
    const previousList = previousEdgeList.current;
    // Unchanged edges: the same array, so React Flow does not re-adopt 3,000 edges on every live refresh.
    if (sameItems(previousList, list)) return previousList;
    previousEdgeList.current = list;
    return list;
  }, [graph, labels, animate, finding]);

  const layoutGroups = useRef(layout.groups);
  layoutGroups.current = layout.groups;
  const onNodeDragStop = useCallback((_: unknown, node: Node) => {
    const kept = manual.current;
    if (!kept || node.type !== 'mesh') return;
    // Kept relative to the namespace box, as the layout places it, so it holds with boxes on or off.
    const namespace = (node as MeshNodeType).data.node.namespace;
    const area = !node.parentId && namespace ? layoutGroups.current[namespace] : undefined;
    kept.positions.set(node.id, area ? { x: node.position.x - area.x, y: node.position.y - area.y } : node.position);
    saveManualPositions(sessionPositionStorage(), kept.graphType, kept.positions);
  }, []);

  // Progressive mounting of the first graph; later refreshes and re-layouts change little and show at once.
  const [reveal, setReveal] = useState({ nodes: 0, edges: 0 });
  const mounting = nodes.length > 0 && reveal !== ALL;
  useEffect(() => {
    if (!mounting) return;
    if (reveal.nodes >= nodes.length && reveal.edges >= edges.length) {
      setReveal(ALL);
      return;
    }
    const frame = requestAnimationFrame(() =>
      setReveal((r) =>
        r.nodes < nodes.length ? { nodes: r.nodes + NODE_BATCH, edges: 0 } : { nodes: r.nodes, edges: r.edges + EDGE_BATCH },
      ),
    );
    return () => cancelAnimationFrame(frame);
  }, [mounting, reveal, nodes.length, edges.length]);
  const shownNodes = reveal.nodes >= nodes.length ? nodes : nodes.slice(0, reveal.nodes);
  const shownEdges = reveal.edges >= edges.length ? edges : edges.slice(0, reveal.edges);
  const sheet = edges.length >= SHEET_MIN_EDGES;
  const initialViewport = useRef<Viewport | null>(null);
  const initialView = useRef<SheetView | null>(null);
  if (initialViewport.current === null && nodes.length > 0) {
    const width = canvasRef.current?.clientWidth ?? 0;
    const height = canvasRef.current?.clientHeight ?? 0;
    const fitted = fitting(nodes, width, height);
    initialViewport.current = fitted;
    initialView.current = viewOf({ transform: [fitted.x, fitted.y, fitted.zoom], width, height }, null);
  }

  // A big graph mounts only the nodes near the view, a batch per frame; zoomed out past readable text, the sheet draws
  // every node and the mounted ones are display: none (CSS on data-detail), so crossing the threshold mounts nothing.
  const [settled, setSettled] = useState<Settled | null>(null);
  const base = settled ?? (initialView.current ? settledFrom(initialView.current, null, true) : null);
  const view = base?.view ?? null;
  const onView = useCallback(
    (update: (current: SheetView) => SheetView, resting: boolean) =>
      setSettled((current) => {
        const from = current ?? (initialView.current ? settledFrom(initialView.current, null, true) : null);
        return from ? nextSettled(from, update(from.view), resting) : current;
      }),
    [],
  );
  const transform = useRef<readonly [number, number, number]>([0, 0, 1]);
  const hiddenVariants = useRef(new WeakMap<CanvasNode, CanvasNode>());
  const mountedBefore = useRef<ReadonlySet<string>>(new Set());
  const [mountTick, setMountTick] = useState(0);
  const mountArea = base?.mountArea;
  const { flowNodes, mounted, pending } = useMemo(() => {
    void mountTick; // a tick mounts the next batch
    if (!sheet || mountArea === undefined) return { flowNodes: shownNodes, mounted: null, pending: false };
    const at = absolutePositions(shownNodes);
    const before = mountedBefore.current;
    const shown = new Set<string>();
    let added = 0;
    let waiting = false;
    const list = shownNodes.map((node) => {
      const point = node.type === 'mesh' ? at(node.id) : undefined;
      if (!point) return node;
      if (mountArea !== null && overlaps(mountArea.area, point.x, point.y, NODE_WIDTH, NODE_HEIGHT)) {
        if (before.has(node.id) || added < MOUNT_BATCH) {
          if (!before.has(node.id)) added++;
          shown.add(node.id);
          return node;
        }
        waiting = true;
      }
      let hidden = hiddenVariants.current.get(node);
      if (!hidden) {
        hidden = { ...node, hidden: true } as CanvasNode;
        hiddenVariants.current.set(node, hidden);
      }
      return hidden;
    });
    mountedBefore.current = shown;
    return { flowNodes: list, mounted: shown as ReadonlySet<string>, pending: waiting };
  }, [sheet, mountArea, shownNodes, mountTick]);
  useEffect(() => {
    if (!pending) return;
    let frame = 0;
    const next = () => {
      // A batch lays out and paints its nodes: while the view moves they stay the sheet's shapes, mounted once it rests.
      if (canvasRef.current?.dataset.moving === 'true') frame = requestAnimationFrame(next);
      else startTransition(() => setMountTick((t) => t + 1));
    };
    frame = requestAnimationFrame(next);
    return () => cancelAnimationFrame(frame);
  }, [pending, canvasRef]);

  // React Flow's label layer, once it is mounted: edges portal their labels into it (see label-layer.ts).
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  const hasFlow = nodes.length > 0;
  useLayoutEffect(() => {
    const found = hasFlow ? (canvasRef.current?.querySelector<HTMLElement>('.react-flow__edgelabel-renderer') ?? null) : null;
    setLabelLayer((current) => (current === found ? current : found));
  }, [hasFlow, canvasRef]);

  // A drag from the empty pane pans: capturing its pointer spares the browser hit-testing every node on each move.
  // Captured on the first move with a button down, not on press: a capture taken at press swallows the pane's
  // click, which is how a node drawn as a shape is selected.
  const onPointerMove = useCallback((event: PointerEvent<HTMLDivElement>) => {
    if (event.buttons === 0) return;
    const target = event.target as Element;
    if (target.classList.contains('react-flow__pane') && !target.hasPointerCapture(event.pointerId))
      target.setPointerCapture(event.pointerId);
  }, []);

  const onNodeClick = useCallback((_: unknown, node: Node) => onSelect(node.type === 'mesh' ? node.id : null), [onSelect]);
  // Nodes drawn as shapes have no element: a click or hover on the pane is resolved against their places.
  const hits = useRef<{ nodes: readonly CanvasNode[]; index: NodeIndex } | null>(null);
  const shapeAt = useCallback(
    (event: MouseEvent): string | null => {
      if (!mounted) return null;
      const bounds = (event.target as Element).closest('.react-flow')?.getBoundingClientRect();
      if (!bounds) return null;
      if (hits.current?.nodes !== nodes) {
        const at = absolutePositions(nodes);
        const places = new Map<string, { x: number; y: number }>();
        for (const node of nodes) {
          const point = node.type === 'mesh' ? at(node.id) : undefined;
          if (point) places.set(node.id, point);
        }
        hits.current = { nodes, index: indexNodes(places) };
      }
      const [x, y, zoom] = transform.current;
      const id = nodeAt(hits.current.index, (event.clientX - bounds.left - x) / zoom, (event.clientY - bounds.top - y) / zoom);
      // The event reached the pane, so no node element covers this point: a node here is drawn as a shape.
      return id;
    },
    [mounted, nodes],
  );
  const onPaneClick = useCallback((event: MouseEvent) => onSelect(shapeAt(event)), [onSelect, shapeAt]);
  const onPaneMouseMove = useCallback(
    (event: MouseEvent) => {
      const canvas = canvasRef.current;
      if (!canvas || event.buttons !== 0) return;
      const over = shapeAt(event) !== null;
      if ((canvas.dataset.over === 'node') !== over) canvas.dataset.over = over ? 'node' : '';
    },
    [shapeAt, canvasRef],
  );

  if (layout.error) {
    return (
      <p className="error" role="alert">
        Could not lay out the graph: {layout.error}
      </p>
    );
  }
  // What the benchmark and the e2e wait for: the latest layout is on screen.
  const applied = layout.positions !== null && placedFor.current === layout.positions;
  return (
    <div
      ref={canvasRef}
      className="topology-flow"
      data-testid="topology-canvas"
      data-layout={applied ? 'applied' : 'pending'}
      data-mounting={mounting ? 'true' : undefined}
      data-finding={finding ? 'true' : undefined}
      data-sheet={sheet ? 'true' : undefined}
      onPointerMove={onPointerMove}
      data-nodes={graph.nodes.length}
      data-edges={graph.edges.length}
    >
      {nodes.length > 0 ? (
        <LabelLayerContext.Provider value={labelLayer}>
          {/* Not onlyRenderVisibleElements: the fitted first view shows every element anyway, and culling re-rendered and
              re-mounted hundreds of nodes, edges and labels per frame while zooming and panning. */}
          <ReactFlow<CanvasNode, SecureEdgeType>
            nodes={flowNodes}
            edges={sheet ? NO_EDGES : shownEdges}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            onNodesChange={onNodesChange}
            onNodeClick={onNodeClick}
            onNodeDragStop={onNodeDragStop}
            onPaneClick={onPaneClick}
            onPaneMouseMove={sheet ? onPaneMouseMove : undefined}
            nodesConnectable={false}
            // A big graph's edges are paths in the sheet, not elements; a small graph's stay tab stops with their labels.
            edgesFocusable={!sheet}
            defaultViewport={initialViewport.current ?? undefined}
            minZoom={MIN_ZOOM}
            aria-label="Service graph"
          >
            <NodeFinder nodes={graph.nodes} onSelect={onSelect} />
            <Background />
            <Controls />
            <ZoomDetail canvasRef={canvasRef} />
            {sheet ? <ViewWatcher onView={onView} transform={transform} canvasRef={canvasRef} /> : null}
            {sheet && labelLayer && view && mounted ? (
              <EdgeSheet nodes={shownNodes} edges={shownEdges} layer={labelLayer} view={view} mounted={mounted} />
            ) : null}
          </ReactFlow>
        </LabelLayerContext.Provider>
      ) : graph.nodes.length === 0 ? (
        <p className="muted" role="status">
          Every node is hidden by the hide expression.
        </p>
      ) : (
        <p className="muted" role="status">
          Laying out {graph.nodes.length} nodes…
        </p>
      )}
    </div>
  );
}
