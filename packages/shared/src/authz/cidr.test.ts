import { describe, expect, it } from 'vitest';
import { cidrContains, ipAddressBytes, ipAddressText, newParsedIp, parseIpBlock, parseIpInto, prepareCidr } from './cidr';

function contains(block: string, address: string): boolean {
  const parsed = parseIpBlock(block);
  if (!parsed) throw new Error(`bad block ${block}`);
  const cidr = prepareCidr(parsed);
  if (!cidr) throw new Error(`bad prepared block ${block}`);
  const ip = newParsedIp();
  parseIpInto(address, ip);
  return cidrContains(cidr, ip);
}

describe('parseIpBlock', () => {
  it.each([
    ['10.1.2.3', { address: '10.1.2.3', length: 32 }],
    ['10.1.2.3/16', { address: '10.1.0.0', length: 16 }],
    ['0.0.0.0/0', { address: '0.0.0.0', length: 0 }],
    ['2001:DB8::1', { address: '2001:db8::1', length: 128 }],
    ['2001:db8:0:0:1:0:0:1/64', { address: '2001:db8::', length: 64 }],
    ['::/0', { address: '::', length: 0 }],
    ['::ffff:10.0.0.0/104', { address: '10.0.0.0', length: 8 }],
    ['64:ff9b::192.0.2.33', { address: '64:ff9b::c000:221', length: 128 }],
  ])('%s', (text, block) => {
    expect(parseIpBlock(text)).toEqual(block);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '10.0.0.1/33',
    '10.0.0.01',
    '1::2::3',
    '2001:db8::/129',
    'fe80::1%eth0',
    '10.0.0.0/',
    '::ffff:10.0.0.0/80',
    'host',
  ])('rejects %s', (text) => {
    expect(parseIpBlock(text)).toBeUndefined();
  });
});

describe('CIDR containment', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.7', '192.168.1.7', true],
    ['192.168.1.7', '192.168.1.8', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['2001:db8::/127', '2001:db8::1', true],
    ['2001:db8::/128', '2001:db8::1', false],
    ['::/0', '::1', true],
    ['10.0.0.0/8', '::ffff:10.1.1.1', true],
    ['10.0.0.0/8', '::1', false],
    ['::/0', '10.0.0.1', false],
    ['fe80::/10', 'fe80::1%lo0', true],
    ['10.0.0.0/8', 'garbage', false],
  ])('%s contains %s: %s', (block, address, expected) => {
    expect(contains(block, address)).toBe(expected);
  });
});

describe('address bytes for the workload API', () => {
  it('round-trips IPv4 and IPv6 through bytes', () => {
    expect(Array.from(ipAddressBytes('10.1.2.3') ?? [])).toEqual([10, 1, 2, 3]);
    for (const text of ['10.1.2.3', '2001:db8::1', '::', '::1', '1:0:0:2:0:0:0:3', 'fe80::1:2']) {
      const bytes = ipAddressBytes(text);
      expect(bytes).toBeDefined();
      expect(ipAddressText(bytes as Uint8Array)).toBe(text === '1:0:0:2:0:0:0:3' ? '1:0:0:2::3' : text);
    }
    expect(ipAddressBytes('nope')).toBeUndefined();
  });
});
