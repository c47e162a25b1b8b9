import { describe, expect, it } from 'vitest';
import { parseProxyHeaderLine } from './proxy-protocol';

describe('PROXY protocol v1', () => {
  it('reads the original destination of a plaintext connection', () => {
    expect(parseProxyHeaderLine('PROXY TCP4 10.0.0.9 10.0.0.2 40000 8080')).toEqual({
      sourceIp: '10.0.0.9',
      sourcePort: 40000,
      destinationIp: '10.0.0.2',
      destinationPort: 8080,
    });
    for (const bad of ['PROXY UNKNOWN', 'PROXY TCP4 a b 1', 'PROXY TCP4 10.0.0.9 10.0.0.2 40000 0', 'GET / HTTP/1.1']) {
      expect(parseProxyHeaderLine(bad)).toBeUndefined();
    }
  });
});
