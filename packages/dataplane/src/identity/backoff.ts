/**
 * Exponential backoff with jitter, as Istio retries certificate requests: 0.5 s, doubling, each
 * delay spread by ±20 %, never above 150 s.
 */

export interface BackoffOptions {
  initialMs: number;
  multiplier: number;
  /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  maxMs: number;
}

export const CERTIFICATE_BACKOFF: BackoffOptions = { initialMs: 500, multiplier: 2, jitter: 0.2, maxMs: 150_000 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = CERTIFICATE_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next retry; each call moves one step further. */
  next(): number {
    const { initialMs, multiplier, jitter, maxMs } = this.options;
    const base = Math.min(maxMs, initialMs * multiplier ** this.attempt);
    this.attempt++;
    const spread = 1 - jitter + 2 * jitter * this.random();
    return Math.min(maxMs, Math.round(base * spread));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
