/**
 * What a big graph draws for the current viewport, settled when the view rests: the part of the flow plane worth drawing
 * (the view and half its size around it), whether edge labels and node text are readable, and so whether nodes are
 * React Flow elements (near) or shapes in the sheet (far).
 */
import { detailShown } from './detail-level';
import type { Area } from './edge-paths';
import { labelsShown } from './label-layer';

export interface SheetView {
  /** Undefined (everything) until the pane has a size. */
  area: Area | undefined;
  zoom: number;
  labels: boolean;
  /** Zoomed out past readable node text: nodes are drawn as shapes, none is a React Flow element. */
  far: boolean;
}

/** What viewOf reads of React Flow's store. */
export interface ViewportSize {
  transform: readonly [number, number, number];
  width: number;
  height: number;
}

/** How much of the view's size is drawn beyond each of its sides: a pan shorter than that shows everything at once. */
const AREA_MARGIN = 0.5;

/** The view for React Flow's current viewport; `before` gives the hysteresis of labels and detail. */
export function viewOf(state: ViewportSize, before: SheetView | null): SheetView {
  const [x, y, zoom] = state.transform;
  const labels = labelsShown(zoom, before?.labels ?? false);
  const far = !detailShown(zoom, before ? !before.far : false);
  if (!(state.width > 0 && state.height > 0 && zoom > 0)) return { area: undefined, zoom, labels, far };
  const width = state.width / zoom;
  const height = state.height / zoom;
  const x0 = -x / zoom;
  const y0 = -y / zoom;
  const marginX = width * AREA_MARGIN;
  const marginY = height * AREA_MARGIN;
  return { area: { x0: x0 - marginX, y0: y0 - marginY, x1: x0 + width + marginX, y1: y0 + height + marginY }, zoom, labels, far };
}

/** Whether `view` still serves the viewport `next`: same labels and detail, the visible part inside its area, about the same zoom. */
export function stillServes(view: SheetView, next: SheetView): boolean {
  if (view.labels !== next.labels || view.far !== next.far) return false;
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

/**
 * The view to draw when the zoom crosses detail levels mid-gesture: only whether nodes are shapes changes. The edges and
 * labels (hidden while the view moves) keep their area until it rests, so the crossing frame redraws no edge or label.
 */
export function crossedDetail(current: SheetView, next: SheetView): SheetView {
  return { ...current, zoom: next.zoom, far: next.far };
}

/** Whether a box at `x, y` of `width × height` overlaps `area` (everything overlaps no area). */
export function overlaps(area: Area | undefined, x: number, y: number, width: number, height: number): boolean {
  return !area || (x + width >= area.x0 && x <= area.x1 && y + height >= area.y0 && y <= area.y1);
}

/** How far beyond the view edge labels are drawn: a thousand labels around the view cost every pan frame more than edges do. */
const LABEL_MARGIN = 0.15;

/** The part of `area` (a view's drawn area) whose edges get labels: the view and a little around it. */
export function labelArea(area: Area | undefined): Area | undefined {
  if (!area) return undefined;
  const width = (area.x1 - area.x0) / (1 + 2 * AREA_MARGIN);
  const height = (area.y1 - area.y0) / (1 + 2 * AREA_MARGIN);
  const insetX = width * (AREA_MARGIN - LABEL_MARGIN);
  const insetY = height * (AREA_MARGIN - LABEL_MARGIN);
  return { x0: area.x0 + insetX, y0: area.y0 + insetY, x1: area.x1 - insetX, y1: area.y1 - insetY };
}
