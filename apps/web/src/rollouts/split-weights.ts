/**
 * Traffic-split sliders: integer percentages that always add up to exactly 100.
 * Moving one slider gives (or takes) the difference to the others in proportion to what they had,
 * so a 70/20/10 split becomes 50/33/17 when the first slider drops to 50.
 */

export const TOTAL_WEIGHT = 100;

function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(TOTAL_WEIGHT, Math.max(0, Math.round(value)));
}

/**
 * Splits `total` integer units over `shares` in proportion (largest remainder, Hamilton's method).
 * All-zero shares split evenly. Ties in the remainder go to the larger share, then to the earlier one,
 * so the result is deterministic.
 */
export function apportion(total: number, shares: readonly number[]): number[] {
  const n = shares.length;
  if (n === 0) return [];
  const positive = shares.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const sum = positive.reduce((a, b) => a + b, 0);
  const basis = sum > 0 ? positive : positive.map(() => 1);
  const basisSum = sum > 0 ? sum : n;
  const exact = basis.map((s) => (total * s) / basisSum);
  const result = exact.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value), share: basis[index] ?? 0 }))
    .sort((a, b) => b.remainder - a.remainder || b.share - a.share || a.index - b.index);
  for (let k = 0; left > 0 && k < order.length; k++, left--) {
    const at = order[k]?.index ?? 0;
    result[at] = (result[at] ?? 0) + 1;
  }
  return result;
}

/** Any weights (HTTPRoute weights are relative: 1/1/1, 9/1, 900/100) as integer percentages adding up to 100. */
export function toPercentages(weights: readonly number[]): number[] {
  return apportion(TOTAL_WEIGHT, weights);
}

/**
 * Sets slider `index` to `value` (rounded, clamped to 0–100) and rebalances the others so the sum stays 100.
 * The others keep their proportions; if they were all at 0, they share the rest evenly.
 */
export function moveSlider(weights: readonly number[], index: number, value: number): number[] {
  if (index < 0 || index >= weights.length) return toPercentages(weights);
  if (weights.length === 1) return [TOTAL_WEIGHT];
  const wanted = clampPercent(value);
  const others = weights.filter((_, i) => i !== index);
  const rest = apportion(TOTAL_WEIGHT - wanted, others);
  const result = [...rest];
  result.splice(index, 0, wanted);
  return result;
}

/** Whether the split is what the sliders promise: integers 0–100 adding up to exactly 100. */
export function isCompleteSplit(weights: readonly number[]): boolean {
  return (
    weights.length > 0 &&
    weights.every((w) => Number.isInteger(w) && w >= 0 && w <= TOTAL_WEIGHT) &&
    weights.reduce((a, b) => a + b, 0) === TOTAL_WEIGHT
  );
}
