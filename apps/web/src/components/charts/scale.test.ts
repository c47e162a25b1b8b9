import { describe, expect, it } from 'vitest';
import { formatNumber, latest, linePath, niceCeiling, seriesMax } from './scale';

describe('chart scale', () => {
  it('ends the y axis on 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 1.1, 3, 7, 42, 120, 5000].map(niceCeiling)).toEqual([1, 0.5, 1, 2, 5, 10, 50, 200, 5000]);
    expect(
      seriesMax([
        [1, null, 3],
        [null, 2],
      ]),
    ).toBe(3);
  });

  it('draws a line through values and starts a new segment after a gap; a lone point is a dot', () => {
    const plot = { width: 100, height: 50, start: 0, end: 4, yMax: 10 };
    expect(linePath([0, 1, 2, 3, 4], [0, 10, null, 5, null], plot)).toBe('M0.0,50.0L25.0,0.0M75.0,25.0h0');
    expect(linePath([0, 1], [null, null], plot)).toBe('');
  });

  it('reads the newest value and formats numbers for labels', () => {
    expect(latest([1, 2, null])).toBe(2);
    expect(latest([null])).toBeNull();
    expect([0, 0.01234, 1.234, 12.34, 123.4].map(formatNumber)).toEqual(['0', '0.0123', '1.23', '12.3', '123']);
  });
});
