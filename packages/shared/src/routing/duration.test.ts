import { describe, expect, it } from 'vitest';
import { AmbitError } from '../errors';
import { parseGatewayDuration } from './duration';

describe('parseGatewayDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['10s', 10_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['99999ms', 99_999],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseGatewayDuration(text)).toBe(ms);
  });

  it.each(['', '10', '1.5s', '-1s', '1d', '100000s', '1h1m1s1ms1s', ' 1s', '1S'])('rejects %j with an error naming the value', (text) => {
    expect(() => parseGatewayDuration(text)).toThrow(AmbitError);
    expect(() => parseGatewayDuration(text)).toThrow(`"${text}" is not a Gateway API duration`);
  });
});
