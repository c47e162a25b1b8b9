import { describe, expect, it } from 'vitest';
import { motionBetween } from './view-motion';

describe('motionBetween', () => {
  it('calls a change of scale a zoom, even when the offset moves with it (a wheel zoom about the pointer)', () => {
    expect(motionBetween([0, 0, 1], [0, 0, 1.2])).toBe('zoom');
    expect(motionBetween([10, 20, 1], [-40, 5, 0.8])).toBe('zoom');
  });

  it('calls a new offset at the same scale a pan: the edges stay drawn', () => {
    expect(motionBetween([10, 20, 0.5], [30, 20, 0.5])).toBe('pan');
    expect(motionBetween([10, 20, 0.5], [10, -4, 0.5])).toBe('pan');
  });

  it('sees no motion when only the pane size changed', () => {
    expect(motionBetween([10, 20, 0.5], [10, 20, 0.5])).toBeNull();
  });
});
