import { describe, expect, it } from 'vitest';
import { DETAIL_HIDE_ZOOM, DETAIL_SHOW_ZOOM } from './detail-level';
import { crossedDetail, labelArea, overlaps, stillServes, viewOf } from './view-area';

const size = { width: 1000, height: 500 };

describe('viewOf', () => {
  it('draws the view and half its size around it, and is far below readable node text (with hysteresis)', () => {
    const view = viewOf({ transform: [-100, -50, 0.5], ...size }, null);
    expect(view.area).toEqual({ x0: 200 - 1000, y0: 100 - 500, x1: 200 + 2000 + 1000, y1: 100 + 1000 + 500 });
    expect(view.far).toBe(false);
    expect(viewOf({ transform: [0, 0, DETAIL_SHOW_ZOOM - 0.01], ...size }, view).far).toBe(false);
    expect(viewOf({ transform: [0, 0, DETAIL_HIDE_ZOOM - 0.01], ...size }, view).far).toBe(true);
    expect(viewOf({ transform: [0, 0, DETAIL_SHOW_ZOOM - 0.01], ...size }, null).far).toBe(true);
  });

  it('serves a short pan without redrawing, not a cross into far', () => {
    const view = viewOf({ transform: [0, 0, 0.5], ...size }, null);
    expect(stillServes(view, viewOf({ transform: [-200, 0, 0.5], ...size }, view))).toBe(true);
    expect(stillServes(view, viewOf({ transform: [0, 0, 0.2], ...size }, view))).toBe(false);
  });

  it('labels only the view and a little around it', () => {
    const view = viewOf({ transform: [0, 0, 1], ...size }, null);
    const near = labelArea(view.area);
    expect(overlaps(near, 500, 250, 0, 0)).toBe(true);
    expect(overlaps(near, 1100, 250, 0, 0)).toBe(true);
    expect(overlaps(near, 1400, 250, 0, 0)).toBe(false);
    expect(overlaps(view.area, 1400, 250, 0, 0)).toBe(true);
  });
});

describe('crossedDetail', () => {
  it('changes only the detail level mid-gesture: the edges and labels keep their area until the view rests', () => {
    const near = viewOf({ transform: [0, 0, 0.5], width: 1000, height: 800 }, null);
    const far = viewOf({ transform: [0, 0, 0.1], width: 1000, height: 800 }, near);
    const crossed = crossedDetail(near, far);
    expect(crossed.far).toBe(true);
    expect(crossed.zoom).toBe(0.1);
    expect(crossed.area).toBe(near.area);
    expect(crossed.labels).toBe(near.labels);
    expect(stillServes(crossed, far)).toBe(false);
  });
});
