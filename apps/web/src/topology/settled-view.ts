/**
 * A big graph's settled view and the part of the plane whose nodes are React Flow elements (mounted). Mounting nodes lays
 * out and paints each one, so the mounted part follows the view only when it rests; while it moves, nodes outside it are
 * the sheet's shapes.
 */
import type { Area } from './edge-paths';
import type { SheetView } from './view-area';

export interface Settled {
  view: SheetView;
  /** Kept from the last near view at rest (zoomed out, or while moving), null for none. */
  mountArea: { area: Area | undefined } | null;
}

/** The settled state for `view`; a resting near view mounts its area, anything else keeps what `before` mounted. */
export function settledFrom(view: SheetView, before: Settled | null, resting: boolean): Settled {
  const mountArea = resting && !view.far ? { area: view.area } : (before?.mountArea ?? null);
  return { view, mountArea };
}

/** `from` moved on to `view` (the same object when the view still serves): the same object back when nothing changes. */
export function nextSettled(from: Settled, view: SheetView, resting: boolean): Settled {
  const mountStale = resting && !view.far && from.mountArea?.area !== view.area;
  return view === from.view && !mountStale ? from : settledFrom(view, from, resting);
}
