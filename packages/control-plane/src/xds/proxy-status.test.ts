import { describe, expect, it } from 'vitest';
import type { TypeStatus } from './ads-connection';
import { typeSyncState } from './proxy-status';

const base: TypeStatus = {
  typeUrl: 't',
  type: 'lds',
  wildcard: true,
  resourceNames: [],
  resourceCount: 1,
  responses: 1,
  acks: 1,
  nacks: 0,
};

describe('typeSyncState', () => {
  it('is SYNCED when the last push was acknowledged', () => {
    expect(typeSyncState({ ...base, versionSent: '3', versionAcked: '3', lastAckAt: 10 }).state).toBe('SYNCED');
  });
  it('is STALE with the age of an unanswered push', () => {
    const s = typeSyncState({ ...base, versionSent: '4', versionAcked: '3', pending: { nonce: 'n', version: '4', since: 0, ageMs: 1500 } });
    expect(s).toMatchObject({ state: 'STALE', staleMs: 1500 });
  });
  it('is NACK when the newest answer rejected the config, and SYNCED again after a later ACK', () => {
    const nack = { message: 'bad route', nonce: 'n', version: '5', at: 20 };
    expect(typeSyncState({ ...base, versionSent: '5', versionAcked: '4', lastAckAt: 10, lastNack: nack }).state).toBe('NACK');
    expect(typeSyncState({ ...base, versionSent: '6', versionAcked: '6', lastAckAt: 30, lastNack: nack }).state).toBe('SYNCED');
  });
  it('is NOT SENT before the first push', () => {
    expect(typeSyncState({ ...base, responses: 0, acks: 0 }).state).toBe('NOT SENT');
  });
});
