import { describe, expect, it } from 'vitest';
import {
  formatAuthority,
  formatBaggage,
  formatForwarded,
  forwardedFor,
  forwardedHost,
  newTraceparent,
  parseAuthority,
  parseBaggage,
} from './headers';

describe('HBONE headers', () => {
  it('reads :authority only as an IP literal and a port', () => {
    expect(parseAuthority('10.0.0.1:8080')).toEqual({ ip: '10.0.0.1', port: 8080 });
    expect(parseAuthority('[fd00::1]:443')).toEqual({ ip: 'fd00::1', port: 443 });
    for (const bad of [
      'cart.shop:80',
      '10.0.0.1',
      '10.0.0.1:',
      '10.0.0.1:0',
      '10.0.0.1:65536',
      '10.0.0.256:80',
      '1.2.3:80',
      'fd00::1:80',
      '[nope]:80',
      '10.0.0.1:8x',
      undefined,
    ]) {
      expect(parseAuthority(bad)).toBeUndefined();
    }
    expect(formatAuthority('fd00::1', 15008)).toBe('[fd00::1]:15008');
  });

  it('writes and reads forwarded as RFC 7239 with the service host', () => {
    const value = formatForwarded('127.10.1.11', 40123, 'web.shop.svc.cluster.local');
    expect(value).toBe('for="127.10.1.11:40123";host=web.shop.svc.cluster.local');
    expect(forwardedFor(value)).toBe('127.10.1.11:40123');
    expect(forwardedHost(value)).toBe('web.shop.svc.cluster.local');
    expect(forwardedFor('for="[fd00::1]:5"')).toBe('[fd00::1]:5');
    expect(forwardedHost('for="1.2.3.4:5"')).toBeUndefined();
    expect(forwardedHost('for=1.2.3.4;host=a, for=5.6.7.8;host=b')).toBe('a');
  });

  it('describes the source workload in baggage and makes fresh traceparents', () => {
    const baggage = formatBaggage({ namespace: 'shop', workloadName: 'frontend', canonicalName: 'frontend', canonicalRevision: 'v1' });
    expect(parseBaggage(baggage)).toEqual(
      new Map([
        ['k8s.namespace.name', 'shop'],
        ['k8s.deployment.name', 'frontend'],
        ['service.name', 'frontend'],
        ['service.version', 'v1'],
      ]),
    );
    const ids = new Set(Array.from({ length: 300 }, () => newTraceparent()));
    expect(ids.size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});
