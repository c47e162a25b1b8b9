/**
 * Level of detail by zoom. Zoomed far out, a thousand nodes' text and three thousand arrowheads are a few pixels each:
 * the canvas drops them (CSS keyed on its `data-detail`) so a frame repaints plain boxes and lines.
 * Shown from DETAIL_SHOW_ZOOM up, hidden again below DETAIL_HIDE_ZOOM: the gap keeps them from flickering at the edge.
 */
export const DETAIL_SHOW_ZOOM = 0.3;
export const DETAIL_HIDE_ZOOM = 0.26;

/** Whether full detail shows at `zoom`, given whether it showed before (hysteresis). */
export function detailShown(zoom: number, before: boolean): boolean {
  return before ? zoom >= DETAIL_HIDE_ZOOM : zoom >= DETAIL_SHOW_ZOOM;
}

/** How long the viewport must stay still before what depends on it is redrawn (the edge sheet's area and labels). */
export const MOVE_REST_MS = 120;
