import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMotion, markMotion, motionBetween, RestClock } from './view-motion';

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

describe('RestClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rests a while after the last change, not before', () => {
    let rests = 0;
    const clock = new RestClock(120, () => rests++);
    clock.moved();
    vi.advanceTimersByTime(100);
    clock.moved();
    vi.advanceTimersByTime(100);
    expect(rests).toBe(0);
    vi.advanceTimersByTime(20);
    expect(rests).toBe(1);
  });

  it('does not redraw during a pause mid-drag: the view rests a while after the pointer is released', () => {
    let rests = 0;
    const clock = new RestClock(120, () => rests++);
    clock.press();
    clock.moved();
    vi.advanceTimersByTime(500);
    expect(rests).toBe(0);
    clock.release();
    vi.advanceTimersByTime(119);
    expect(rests).toBe(0);
    vi.advanceTimersByTime(1);
    expect(rests).toBe(1);
  });

  it('rests on its own when a click (no view change) comes after the view stopped', () => {
    let rests = 0;
    const clock = new RestClock(120, () => rests++);
    clock.moved();
    clock.press();
    clock.release();
    vi.advanceTimersByTime(120);
    expect(rests).toBe(1);
    clock.press();
    clock.release();
    vi.advanceTimersByTime(1000);
    expect(rests).toBe(1);
  });
});

/** The canvas attributes markMotion and clearMotion touch, without a DOM. */
function fakeCanvas(): HTMLElement {
  const dataset: Record<string, string> = {};
  const removeAttribute = (name: string) => {
    delete dataset[name.replace(/^data-/, '')];
  };
  return { dataset, removeAttribute } as unknown as HTMLElement;
}

describe('markMotion', () => {
  it('marks a zoom as moving and zooming, and a drag right after the wheel as moving only (a pan moves a layer)', () => {
    const canvas = fakeCanvas();
    markMotion(canvas, 'zoom');
    expect({ ...canvas.dataset }).toEqual({ moving: 'true', zooming: 'true' });
    markMotion(canvas, 'pan');
    expect({ ...canvas.dataset }).toEqual({ moving: 'true' });
    markMotion(canvas, 'zoom');
    expect({ ...canvas.dataset }).toEqual({ moving: 'true', zooming: 'true' });
    clearMotion(canvas);
    expect({ ...canvas.dataset }).toEqual({});
  });
});
