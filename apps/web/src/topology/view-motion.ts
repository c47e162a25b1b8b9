/**
 * How a big graph's view is moving, as attributes on the canvas that topology.css keys its level of detail on:
 * `data-moving` while the view moves at all (until it rests), `data-zooming` while its scale changes (until it rests or pans).
 */
export type Motion = 'zoom' | 'pan' | null;

type Transform = readonly [number, number, number];

/** What changed from one React Flow viewport transform to the next: a new scale is a zoom, a new offset alone a pan. */
export function motionBetween(before: Transform, after: Transform): Motion {
  if (before[2] !== after[2]) return 'zoom';
  return before[0] !== after[0] || before[1] !== after[1] ? 'pan' : null;
}

/**
 * Marks the canvas as moving, and zooming for a zoom step; a pan step ends the zooming (a drag right after the wheel then
 * moves a layer's pixels instead of re-rastering the view every frame). Touches the DOM only when an attribute changes.
 */
export function markMotion(canvas: HTMLElement, motion: Motion): void {
  if (motion === null) return;
  if (canvas.dataset.moving !== 'true') canvas.dataset.moving = 'true';
  if (motion === 'zoom' && canvas.dataset.zooming !== 'true') canvas.dataset.zooming = 'true';
  else if (motion === 'pan' && canvas.dataset.zooming === 'true') canvas.removeAttribute('data-zooming');
}

/** The view rests: everything is drawn again (also called before an export, so a picture never misses the edges). */
export function clearMotion(canvas: HTMLElement): void {
  canvas.removeAttribute('data-moving');
  canvas.removeAttribute('data-zooming');
}

/**
 * When a moving view comes to rest: `waitMs` after its last change, but not while a pointer is held on the canvas (a
 * pause mid-drag is not the end of the gesture: redrawing then made the drag's next frames pay for it); `waitMs` after
 * the release instead.
 */
export class RestClock {
  readonly #waitMs: number;
  readonly #onRest: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #held = false;
  /** The view stopped while held: rest comes after the release. */
  #due = false;

  constructor(waitMs: number, onRest: () => void) {
    this.#waitMs = waitMs;
    this.#onRest = onRest;
  }

  /** The view changed: rest is `waitMs` away again. */
  moved(): void {
    this.#due = false;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#ring, this.#waitMs);
  }

  press(): void {
    this.#held = true;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#due) this.moved();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  readonly #ring = () => {
    this.#timer = undefined;
    if (this.#held) this.#due = true;
    else this.#onRest();
  };
}
