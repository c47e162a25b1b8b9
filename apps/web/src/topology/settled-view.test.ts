import { describe, expect, it } from 'vitest';
import { nextSettled, settledFrom } from './settled-view';
import type { SheetView } from './view-area';

const near = (x0: number): SheetView => ({ area: { x0, y0: 0, x1: x0 + 100, y1: 100 }, zoom: 1, labels: true, far: false });
const far: SheetView = { area: { x0: 0, y0: 0, x1: 5000, y1: 5000 }, zoom: 0.05, labels: false, far: true };

describe('settledFrom', () => {
  it('mounts the nodes of a near view once it rests', () => {
    const view = near(0);
    expect(settledFrom(view, null, true).mountArea).toEqual({ area: view.area });
  });

  it('keeps what was mounted while the view still moves or is zoomed out, so no node is laid out mid-gesture', () => {
    const resting = settledFrom(near(0), null, true);
    expect(settledFrom(near(500), resting, false).mountArea).toBe(resting.mountArea);
    expect(settledFrom(far, resting, true).mountArea).toBe(resting.mountArea);
    expect(settledFrom(near(500), null, false).mountArea).toBeNull();
  });
});

describe('nextSettled', () => {
  it('returns the same state when the view still serves and its nodes are mounted', () => {
    const from = settledFrom(near(0), null, true);
    expect(nextSettled(from, from.view, true)).toBe(from);
    expect(nextSettled(from, from.view, false)).toBe(from);
  });

  it('mounts at rest a near view first reached while moving (zooming in past readable text)', () => {
    const moving = nextSettled(settledFrom(far, null, true), near(0), false);
    expect(moving.mountArea).toBeNull();
    const rested = nextSettled(moving, moving.view, true);
    expect(rested.view).toBe(moving.view);
    expect(rested.mountArea).toEqual({ area: moving.view.area });
  });
});
