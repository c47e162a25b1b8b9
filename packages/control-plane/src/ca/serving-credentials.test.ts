import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServingCertificate } from './serving-cert';
import { createServingCredentials, type ServingCredentials } from './serving-credentials';
import { captureLogger } from './test-fixtures';

const LIFETIME_MS = 10_000;

/** A stand-in certificate: renewal timing reads only notAfter; nothing binds a TLS port here. */
function certificate(serial: number): ServingCertificate {
  return {
    identity: 'spiffe://cluster.local/ns/istio-system/sa/istiod',
    dnsNames: [],
    ipAddresses: [],
    chain: [`cert ${serial}`],
    privateKeyPem: `key ${serial}`,
    serialNumber: String(serial),
    notBefore: new Date(Date.now()),
    notAfter: new Date(Date.now() + LIFETIME_MS),
  };
}

let serving: ServingCredentials | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  serving?.close();
  vi.useRealTimers();
});

describe('the serving certificate renewal', () => {
  it('replaces the certificate at half its lifetime, and again at half of the next one', async () => {
    let serial = 0;
    serving = await createServingCredentials({ issue: async () => certificate(++serial), logger: pino({ level: 'silent' }) });
    const renewed: string[] = [];
    serving.onRenewed((cert) => renewed.push(cert.serialNumber));

    await vi.advanceTimersByTimeAsync(LIFETIME_MS / 2 - 100);
    expect(serving.current().serialNumber).toBe('1');
    await vi.advanceTimersByTimeAsync(200);
    expect(serving.current().serialNumber).toBe('2');
    await vi.advanceTimersByTimeAsync(LIFETIME_MS / 2);
    expect(renewed).toEqual(['2', '3']);
  });

  it('keeps the valid certificate when renewal fails, logs it, and retries with backoff', async () => {
    let serial = 0;
    let failing = true;
    const log = captureLogger();
    serving = await createServingCredentials({
      issue: async () => {
        if (serial > 0 && failing) throw new Error('signing key unavailable');
        return certificate(++serial);
      },
      logger: log.logger,
    });
    const failures = () =>
      log.lines().filter((line) => line.msg === 'could not renew the control plane serving certificate; the current one keeps serving');
    await vi.advanceTimersByTimeAsync(LIFETIME_MS / 2 + 10);
    expect(serving.current().serialNumber).toBe('1');
    expect(failures()).toHaveLength(1);
    // First retry after 0.5 s ± 20 %, the next after 1 s ± 20 %.
    await vi.advanceTimersByTimeAsync(650);
    expect(failures()).toHaveLength(2);
    failing = false;
    await vi.advanceTimersByTimeAsync(1300);
    expect(serving.current().serialNumber).toBe('2');
  });

  it('stops renewing when closed', async () => {
    let serial = 0;
    serving = await createServingCredentials({ issue: async () => certificate(++serial), logger: pino({ level: 'silent' }) });
    serving.close();
    await vi.advanceTimersByTimeAsync(LIFETIME_MS * 2);
    expect(serial).toBe(1);
  });
});
