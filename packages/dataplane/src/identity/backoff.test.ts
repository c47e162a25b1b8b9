import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('certificate retry backoff', () => {
  it('starts at 0.5 s, doubles, stays within ±20 %, and stops at 150 s', () => {
    const low = new Backoff(undefined, () => 0);
    const high = new Backoff(undefined, () => 1);
    const mid = new Backoff(undefined, () => 0.5);
    expect([low.next(), mid.next(), high.next()]).toEqual([400, 500, 600]);
    expect([low.next(), mid.next(), high.next()]).toEqual([800, 1000, 1200]);
    for (let i = 0; i < 20; i++) mid.next();
    expect(mid.next()).toBe(150_000);
    expect(high.next()).toBeLessThanOrEqual(150_000);
    mid.reset();
    expect(mid.next()).toBe(500);
  });
});
