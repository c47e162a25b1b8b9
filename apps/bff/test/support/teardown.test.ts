import { describe, expect, it } from 'vitest';
import { tearDown } from './teardown';

describe('tearDown', () => {
  it('runs every step after one fails, so the control plane stops even when the BFF close throws, and reports every failure', async () => {
    const ran: string[] = [];
    const closeFailed = new Error('BFF close failed');
    const stopFailed = new Error('stop failed too');
    const result = tearDown([
      () => {
        ran.push('bff.close');
        throw closeFailed;
      },
      async () => {
        ran.push('controlPlane.stop');
        throw stopFailed;
      },
      () => ran.push('rm dataDir'),
    ]);
    const failure = await result.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([closeFailed, stopFailed]);
    expect((failure as AggregateError).message).toBe('2 teardown steps failed; the first: BFF close failed');
    expect(ran).toEqual(['bff.close', 'controlPlane.stop', 'rm dataDir']);
  });

  it('rethrows a single failure as it is', async () => {
    const closeFailed = new Error('BFF close failed');
    await expect(tearDown([() => Promise.reject(closeFailed), () => undefined])).rejects.toBe(closeFailed);
  });

  it('waits for each step before the next and resolves when all succeed', async () => {
    const ran: string[] = [];
    await tearDown([
      async () => new Promise<void>((resolve) => setImmediate(() => resolve(void ran.push('first')))),
      () => ran.push('second'),
    ]);
    expect(ran).toEqual(['first', 'second']);
  });
});
