/**
 * How a big graph's view is moving, as attributes on the canvas that topology.css keys its level of detail on:
 * `data-moving` while the view moves at all, `data-zooming` while its scale changes (both until it rests).
 */
export type Motion = 'zoom' | 'pan' | null;

type Transform = readonly [number, number, number];

/** What changed from one React Flow viewport transform to the next: a new scale is a zoom, a new offset alone a pan. */
export function motionBetween(before: Transform, after: Transform): Motion {
  if (before[2] !== after[2]) return 'zoom';
  return before[0] !== after[0] || before[1] !== after[1] ? 'pan' : null;
}

/** Marks the canvas as moving (and zooming, for a zoom); touches the DOM only when an attribute changes. */
export function markMotion(canvas: HTMLElement, motion: Motion): void {
  if (motion === null) return;
  if (canvas.dataset.moving !== 'true') canvas.dataset.moving = 'true';
  if (motion === 'zoom' && canvas.dataset.zooming !== 'true') canvas.dataset.zooming = 'true';
}

/** The view rests: everything is drawn again (also called before an export, so a picture never misses the edges). */
export function clearMotion(canvas: HTMLElement): void {
  canvas.removeAttribute('data-moving');
  canvas.removeAttribute('data-zooming');
}
