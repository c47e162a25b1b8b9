import { describe, expect, it } from 'vitest';
import { timelineSteps } from './step-states';

const states = (steps: ReturnType<typeof timelineSteps>) => steps.map((s) => `${s.weight ?? 'promote'}:${s.state}`);

describe('timelineSteps', () => {
  it('marks the steps behind a progressing canary done and the one it is on current', () => {
    expect(states(timelineSteps([10, 20, 30], 'Progressing', 20, 20))).toEqual(['10:done', '20:current', '30:pending', 'promote:pending']);
  });

  it('marks the step a failed run had reached as failed, though its weight is back to 0', () => {
    expect(states(timelineSteps([10, 20, 30], 'Failed', 0, 20))).toEqual(['10:done', '20:failed', '30:pending', 'promote:pending']);
  });

  it('marks the first step failed when the run failed before any traffic moved (pre-rollout webhook, no data)', () => {
    expect(states(timelineSteps([10, 20], 'Failed', 0, 0))).toEqual(['10:failed', '20:pending', 'promote:pending']);
  });

  it('has every step done, and the promotion current or done, at the end of a good run', () => {
    expect(states(timelineSteps([50], 'Promoting', 50, 50))).toEqual(['50:done', 'promote:current']);
    expect(states(timelineSteps([50], 'Succeeded', 0, 50))).toEqual(['50:done', 'promote:done']);
  });

  it('has nothing started while the canary waits or initializes', () => {
    expect(states(timelineSteps([10, 20], 'Initialized', 0, 0))).toEqual(['10:pending', '20:pending', 'promote:pending']);
    expect(states(timelineSteps([10, 20], undefined, 0, 0))).toEqual(['10:pending', '20:pending', 'promote:pending']);
  });

  it('puts a weight set by hand between steps on the step below it', () => {
    expect(states(timelineSteps([10, 20, 30], 'Progressing', 25, 25))).toEqual(['10:done', '20:current', '30:pending', 'promote:pending']);
  });
});
