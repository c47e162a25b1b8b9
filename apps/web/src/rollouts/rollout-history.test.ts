import { describe, expect, it } from 'vitest';
import {
  checkValues,
  failedChecks,
  failureReason,
  metricThresholds,
  reachedWeight,
  type StepRecordLike,
  setWeights,
} from './rollout-history';

const check = (name: string, value: number | null, passed: boolean, message = '') => ({ name, kind: 'metric', value, passed, message });

const HISTORY: StepRecordLike[] = [
  { time: '2026-11-27T03:00:00Z', phase: 'Progressing', canaryWeight: 10, checks: [check('request-success-rate', 100, true)] },
  {
    time: '2026-11-27T03:00:10Z',
    phase: 'Progressing',
    canaryWeight: 20,
    checks: [check('request-success-rate', 80.12, false, 'request-success-rate 80.12% < 99%'), check('request-duration', 12, true)],
  },
  {
    time: '2026-11-27T03:00:20Z',
    phase: 'Failed',
    canaryWeight: 0,
    checks: [check('request-success-rate', null, false, 'no data for request-success-rate')],
  },
];

describe('rollout history for the charts', () => {
  it('draws the set weight at every record, back to 0 after the rollback', () => {
    expect(setWeights(HISTORY).values).toEqual([10, 20, 0]);
    expect(setWeights(HISTORY).timestamps[0]).toBe(Date.parse('2026-11-27T03:00:00Z'));
  });

  it('keeps a check without data as a gap, not as zero', () => {
    expect(checkValues(HISTORY, 'request-success-rate').values).toEqual([100, 80.12, null]);
    expect(checkValues(HISTORY, 'request-duration')).toEqual({ timestamps: [Date.parse('2026-11-27T03:00:10Z')], values: [12] });
  });

  it('knows how far a rolled-back run got', () => {
    expect(reachedWeight(HISTORY, 0)).toBe(20);
    expect(reachedWeight([], 30)).toBe(30);
  });

  it('lists each failed check with its reason, newest first', () => {
    expect(failedChecks(HISTORY).map((c) => `${c.time} ${c.message}`)).toEqual([
      '2026-11-27T03:00:20Z no data for request-success-rate',
      '2026-11-27T03:00:10Z request-success-rate 80.12% < 99%',
    ]);
  });
});

describe('metricThresholds', () => {
  it('reads the built-in metrics’ bounds from the Canary and copes with anything else', () => {
    const canary = {
      spec: {
        analysis: {
          metrics: [
            { name: 'request-success-rate', thresholdRange: { min: 99 } },
            { name: 'request-duration', thresholdRange: { max: 500 } },
          ],
        },
      },
    };
    expect(metricThresholds(canary)).toEqual({ successRateMin: 99, durationMaxMs: 500 });
    expect(metricThresholds(null)).toEqual({ successRateMin: null, durationMaxMs: null });
    expect(metricThresholds({ spec: { analysis: { metrics: 'nonsense' } } })).toEqual({ successRateMin: null, durationMaxMs: null });
  });
});

describe('failureReason', () => {
  const condition = { status: 'False', reason: 'Failed', message: 'Canary analysis failed, Deployment scaled to zero.' };

  it('gives the rollback warning, which says why, over the generic Failed condition', () => {
    const events = [
      { type: 'Warning', reason: 'Synced', message: 'Halt advancement: request-success-rate 80% < 99%' },
      { type: 'Warning', reason: 'Synced', message: 'Rolling back demo/reviews manually (requested by admin)' },
      { type: 'Warning', reason: 'Synced', message: 'Canary failed! Scaling down reviews.demo' },
      { type: 'Normal', reason: 'Synced', message: 'later normal event' },
    ];
    expect(failureReason([condition], events)).toBe('Rolling back demo/reviews manually (requested by admin)');
  });

  it('falls back to the failing condition, then the newest warning', () => {
    expect(failureReason([condition], [{ type: 'Warning', reason: 'Synced', message: 'Canary failed!' }])).toBe(
      'Canary analysis failed, Deployment scaled to zero.',
    );
    expect(
      failureReason([{ status: 'Unknown', message: 'busy' }], [{ type: 'Warning', reason: 'Synced', message: 'Canary failed!' }]),
    ).toBe('Canary failed!');
    expect(failureReason([], [])).toBeNull();
  });
});
