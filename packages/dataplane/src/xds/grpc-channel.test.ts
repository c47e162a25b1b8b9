import { describe, expect, it } from 'vitest';
import { encodeGrpcTimeout } from './grpc-channel';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const MOST = 99_999_999;

describe('grpc-timeout encoding', () => {
  it('keeps milliseconds while they fit in the 8 digits the spec allows, then moves to seconds, minutes and hours', () => {
    expect(encodeGrpcTimeout(MOST)).toBe('99999999m');
    expect(encodeGrpcTimeout(MOST + 1)).toBe('100000S');
    expect(encodeGrpcTimeout(MOST * SECOND)).toBe('99999999S');
    expect(encodeGrpcTimeout(MOST * SECOND + 1)).toBe('1666667M');
    expect(encodeGrpcTimeout(MOST * MINUTE)).toBe('99999999M');
    expect(encodeGrpcTimeout(MOST * MINUTE + 1)).toBe('1666667H');
    expect(encodeGrpcTimeout(MOST * HOUR)).toBe('99999999H');
  });

  it('rounds up, so the server never gives up before the client’s own deadline', () => {
    expect(encodeGrpcTimeout(1.2)).toBe('2m');
    expect(encodeGrpcTimeout(100_000_001)).toBe('100001S');
    expect(encodeGrpcTimeout(90 * 24 * HOUR + 1)).toBe('7776001S');
  });

  it('says at least 1m for a deadline already due and at most 99999999H for one beyond what the header can carry', () => {
    expect(encodeGrpcTimeout(0)).toBe('1m');
    expect(encodeGrpcTimeout(-5_000)).toBe('1m');
    expect(encodeGrpcTimeout(MOST * HOUR + 1)).toBe('99999999H');
    expect(encodeGrpcTimeout(Number.POSITIVE_INFINITY)).toBe('99999999H');
  });

  it('never writes more than 8 digits whatever the deadline', () => {
    for (let ms = 1; ms < Number.MAX_SAFE_INTEGER; ms = ms * 7 + 3) {
      expect(encodeGrpcTimeout(ms)).toMatch(/^[1-9]\d{0,7}[HMSm]$/);
    }
  });
});
