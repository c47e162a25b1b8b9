import { describe, expect, it } from 'vitest';
import { tearDown } from './teardown';

describe('tearDown', () => {
  it('runs every step after one fails, so the control plane stops even when the BFF close throws', async () => {
    const ran: string[] = [];
    const closeFailed = new Error('BFF close failed');
    const result = tearDown([
      () => {
        ran.push('bff.close');
        throw closeFailed;
      },
      async () => {
        ran.push('controlPlane.stop');
        throw new Error('stop failed too');
      },
      () => ran.push('rm dataDir'),
    ]);
    await expect(result).rejects.toBe(closeFailed);
    expect(ran).toEqual(['bff.close', 'controlPlane.stop', 'rm dataDir']);
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
