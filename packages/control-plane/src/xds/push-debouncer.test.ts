import { afterEach, describe, expect, it, vi } from 'vitest';
import { type PendingPush, PushDebouncer } from './push-debouncer';

describe('PushDebouncer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('merges a burst into one push after the quiet period, keeping per-type proxy scopes', () => {
    vi.useFakeTimers();
    const pushes: PendingPush[] = [];
    const debouncer = new PushDebouncer({ quietMs: 100, maxDelayMs: 1000 }, (push) => pushes.push(push));
    debouncer.add({ typeUrls: new Set(['a']), proxies: new Set(['p1']) });
    vi.advanceTimersByTime(50);
    debouncer.add({ typeUrls: new Set(['a', 'b']), proxies: new Set(['p2']) });
    debouncer.add({ typeUrls: new Set(['c']) });
    vi.advanceTimersByTime(99);
    expect(pushes).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.scopes).toEqual(
      new Map<string, unknown>([
        ['a', new Set(['p1', 'p2'])],
        ['b', new Set(['p2'])],
        ['c', 'all'],
      ]),
    );
  });

  it('pushes after the maximum delay even if changes keep coming', () => {
    vi.useFakeTimers();
    const pushes: PendingPush[] = [];
    const debouncer = new PushDebouncer({ quietMs: 100, maxDelayMs: 300 }, (push) => pushes.push(push));
    for (let elapsed = 0; elapsed < 300; elapsed += 50) {
      debouncer.add({ typeUrls: new Set(['a']) });
      vi.advanceTimersByTime(50);
    }
    expect(pushes).toHaveLength(1);
    debouncer.close();
    vi.advanceTimersByTime(1000);
    expect(pushes).toHaveLength(1);
  });
});
