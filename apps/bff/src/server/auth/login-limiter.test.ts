import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter';

describe('LoginLimiter', () => {
  const key = LoginLimiter.key('bob', '127.0.0.1');

  it('refuses after maxFailures within the window, until the oldest failure leaves it', () => {
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000 });
    for (const t of [0, 10_000, 20_000]) {
      expect(limiter.retryAfterMs(key, t)).toBe(0);
      limiter.recordFailure(key, t);
    }
    expect(limiter.retryAfterMs(key, 30_000)).toBe(30_000);
    expect(limiter.retryAfterMs(LoginLimiter.key('bob', '127.0.0.2'), 30_000)).toBe(0);
    expect(limiter.retryAfterMs(LoginLimiter.key('alice', '127.0.0.1'), 30_000)).toBe(0);
    // At 60 s the first failure has left the window: one more attempt is allowed.
    expect(limiter.retryAfterMs(key, 60_000)).toBe(0);
    limiter.recordFailure(key, 60_000);
    expect(limiter.retryAfterMs(key, 60_001)).toBe(9_999);
  });

  it('forgets a key on success', () => {
    const limiter = new LoginLimiter({ maxFailures: 1, windowMs: 60_000 });
    limiter.recordFailure(key, 0);
    expect(limiter.retryAfterMs(key, 1)).toBeGreaterThan(0);
    limiter.reset(key);
    expect(limiter.retryAfterMs(key, 1)).toBe(0);
  });
});
