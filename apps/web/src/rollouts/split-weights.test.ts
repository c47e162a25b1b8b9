import { describe, expect, it } from 'vitest';
import { apportion, isCompleteSplit, moveSlider, toPercentages } from './split-weights';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('moveSlider', () => {
  it('gives what one slider loses to the others in proportion, keeping the total at 100', () => {
    expect(moveSlider([70, 20, 10], 0, 50)).toEqual([50, 33, 17]);
    expect(moveSlider([50, 50], 1, 10)).toEqual([90, 10]);
    expect(moveSlider([90, 10], 0, 100)).toEqual([100, 0]);
  });

  it('takes from the others in proportion when a slider goes up, never below 0', () => {
    expect(moveSlider([40, 40, 20], 2, 60)).toEqual([20, 20, 60]);
    expect(moveSlider([40, 40, 20], 2, 100)).toEqual([0, 0, 100]);
  });

  it('shares the rest evenly when every other slider is at 0', () => {
    expect(moveSlider([100, 0, 0], 0, 70)).toEqual([70, 15, 15]);
    expect(moveSlider([100, 0, 0, 0], 0, 99)).toEqual([99, 1, 0, 0]);
  });

  it('rounds and clamps what the user typed: 33.6 → 34, 150 → 100, -5 → 0, NaN → 0', () => {
    expect(moveSlider([50, 50], 0, 33.6)).toEqual([34, 66]);
    expect(moveSlider([50, 50], 0, 150)).toEqual([100, 0]);
    expect(moveSlider([50, 50], 0, -5)).toEqual([0, 100]);
    expect(moveSlider([50, 50], 0, Number.NaN)).toEqual([0, 100]);
  });

  it('keeps a single backend at 100 whatever its slider says', () => {
    expect(moveSlider([100], 0, 30)).toEqual([100]);
  });

  it('always yields integers 0–100 adding up to exactly 100, the moved slider at its value, the others in their order', () => {
    // A deterministic pseudo-random walk over 2–6 sliders.
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const failures: string[] = [];
    for (let round = 0; round < 2_000; round++) {
      const count = 2 + Math.floor(next() * 5);
      const start = toPercentages(Array.from({ length: count }, () => Math.floor(next() * 10)));
      const index = Math.floor(next() * count);
      const value = Math.floor(next() * 101);
      const moved = moveSlider(start, index, value);
      const before = start.filter((_, i) => i !== index);
      const after = moved.filter((_, i) => i !== index);
      const orderKept = before.every((a, i) => before.every((b, j) => a <= b || (after[i] ?? 0) >= (after[j] ?? 0)));
      if (!isCompleteSplit(moved) || moved[index] !== value || !orderKept)
        failures.push(`${start} → slider ${index} = ${value} gave ${moved}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('toPercentages', () => {
  it('turns relative HTTPRoute weights into percentages adding up to 100', () => {
    expect(toPercentages([1, 1, 1])).toEqual([34, 33, 33]);
    expect(toPercentages([9, 1])).toEqual([90, 10]);
    expect(toPercentages([900, 100])).toEqual([90, 10]);
    expect(toPercentages([1, 0])).toEqual([100, 0]);
  });

  it('splits evenly when no weight is positive, so the sliders start from something that adds up', () => {
    expect(toPercentages([0, 0])).toEqual([50, 50]);
    expect(sum(toPercentages([0, 0, 0]))).toBe(100);
  });
});

describe('apportion', () => {
  it('breaks equal remainders towards the larger share, then the earlier one', () => {
    expect(apportion(1, [1, 1])).toEqual([1, 0]);
    expect(apportion(1, [1, 3])).toEqual([0, 1]);
    expect(apportion(0, [5, 5])).toEqual([0, 0]);
    expect(apportion(10, [])).toEqual([]);
  });
});

describe('isCompleteSplit', () => {
  it('refuses splits the route cannot take as they are', () => {
    expect(isCompleteSplit([90, 10])).toBe(true);
    expect(isCompleteSplit([90, 9])).toBe(false);
    expect(isCompleteSplit([90.5, 9.5])).toBe(false);
    expect(isCompleteSplit([110, -10])).toBe(false);
    expect(isCompleteSplit([])).toBe(false);
  });
});
