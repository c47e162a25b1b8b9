import { describe, expect, it } from 'vitest';
import { DETAIL_HIDE_ZOOM, DETAIL_SHOW_ZOOM, detailShown } from './detail-level';

describe('detailShown', () => {
  it('shows node text and arrowheads from the show zoom up and drops them when zoomed far out', () => {
    expect(detailShown(1, false)).toBe(true);
    expect(detailShown(DETAIL_SHOW_ZOOM, false)).toBe(true);
    expect(detailShown(0.1, true)).toBe(false);
  });

  it('keeps the current level between the two thresholds, so a zoom resting near the edge does not flicker', () => {
    const between = (DETAIL_SHOW_ZOOM + DETAIL_HIDE_ZOOM) / 2;
    expect(detailShown(between, true)).toBe(true);
    expect(detailShown(between, false)).toBe(false);
  });
});
