import type { CompiledBackend } from './types';

/**
 * Picks a backend in proportion to the weights; weight 0 is never picked. Undefined when every
 * weight is 0 (answer 500). A picked backend marked `invalid` also means 500 for this request.
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
