/**
 * Login throttling per username and client address: after `maxFailures` failed sign-ins within
 * `windowMs`, further attempts (right or wrong) are refused until the oldest failure leaves the
 * window. In memory: a restart forgets, which costs an attacker a restart they cannot cause.
 */
export interface LoginLimits {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { maxFailures: 5, windowMs: 60_000 };

/** Bounds memory under a spray of usernames: the oldest keys are forgotten first. */
const MAX_KEYS = 10_000;

export class LoginLimiter {
  /** Failure times per key, oldest first, all within the window. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {}

  static key(username: string, clientIp: string): string {
    return `${username}\u0000${clientIp}`;
  }

  /** Milliseconds until the next attempt is allowed; 0 when it is allowed now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    if (!times || times.length < this.limits.maxFailures) return 0;
    return (times[times.length - this.limits.maxFailures] as number) + this.limits.windowMs - now;
  }

  recordFailure(key: string, now = Date.now()): void {
    const times = this.recent(key, now) ?? [];
    times.push(now);
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > MAX_KEYS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] | undefined {
    const times = this.failures.get(key);
    if (!times) return undefined;
    const cutoff = now - this.limits.windowMs;
    while (times.length > 0 && (times[0] as number) <= cutoff) times.shift();
    if (times.length === 0) {
      this.failures.delete(key);
      return undefined;
    }
    return times;
  }
}
