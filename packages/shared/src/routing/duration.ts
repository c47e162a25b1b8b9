import { AmbitError } from '../errors';

// GEP-2257: one to four number+unit pairs, each number at most five digits.
const DURATION = /^(?:[0-9]{1,5}(?:ms|h|m|s)){1,4}$/;
const PART = /([0-9]{1,5})(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Gateway API `Duration` (`1h`, `10s`, `500ms`, `1m30s`) in milliseconds. Throws on anything else. */
export function parseGatewayDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new AmbitError('InvalidArgument', `"${text}" is not a Gateway API duration such as 10s, 500ms or 1m30s`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  return total;
}
