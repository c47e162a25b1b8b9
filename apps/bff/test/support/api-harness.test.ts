import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { startApiHarness } from './api-harness';

describe('the API harness', () => {
  it('stops its control plane and removes its data dir when the BFF close throws, and reports that failure', async () => {
    const api = await startApiHarness();
    const closeBff = api.bff.close.bind(api.bff);
    const stopControlPlane = vi.spyOn(api.controlPlane, 'stop');
    const closeFailed = new Error('BFF close failed');
    api.bff.close = () => Promise.reject(closeFailed);
    try {
      await expect(api.close()).rejects.toBe(closeFailed);
      expect(stopControlPlane).toHaveBeenCalledOnce();
      expect(existsSync(api.dataDir)).toBe(false);
    } finally {
      await closeBff();
      await api.controlPlane.stop();
    }
  });
});
