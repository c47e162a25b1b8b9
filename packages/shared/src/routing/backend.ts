import type { CompiledBackend } from './types';

/**
 * Picks a backend in proportion to the weights; weight 0 is never picked. Undefined when every
 * weight is 0 (answer 500). A picked backend marked `invalid` means the action's `unusableBackendStatus` (500 by default).
 * `random` returns a number in [0, 1), like Math.random, so tests can pass a fixed sequence.
 */
export function pickBackend(
  action: { readonly backends: readonly CompiledBackend[] },
  random: () => number = Math.random,
): CompiledBackend | undefined {
  const { backends } = action;
  let total = 0;
  for (const b of backends) if (b.weight > 0) total += b.weight;
  if (total <= 0) return undefined;
  let point = random() * total;
  let last: CompiledBackend | undefined;
  for (const b of backends) {
    if (b.weight <= 0) continue;
    if (point < b.weight) return b;
    point -= b.weight;
    last = b;
  }
  // Only reached through floating-point rounding at the very top of the range.
  return last;
}

/** The golden ratio's fractional part: stepping by it, each new point lands in the largest gap the earlier ones left. */
const GOLDEN_STEP = 0.618_033_988_749_894_9;

/**
 * Points in [0, 1) for pickBackend along a Weyl sequence (golden-ratio steps from `start`) instead
 * of independent draws: over any run of n picks each backend's count stays within a few requests of
 * its weight's share, where independent draws drift by about √n (±10 of 400 requests at 40 %). A
 * canary step's traffic then splits as its weights say from its first requests. One per route.
 * Unlike Envoy's random choice the picks follow a pattern: a kind of request that recurs every 13 or
 * 21 requests on a route (Fibonacci periods) can meet the same backend for long runs.
 */
export class WeightedSequence {
  private point: number;

  constructor(start: number) {
    this.point = start - Math.floor(start);
  }

  /** The next point; a bound function, so a caller can pass it as pickBackend's `random`. */
  readonly next = (): number => {
    this.point += GOLDEN_STEP;
    if (this.point >= 1) this.point -= 1;
    return this.point;
  };
}
