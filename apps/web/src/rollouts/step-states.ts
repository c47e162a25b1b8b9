/** Where a rollout stands on its planned steps, for the step timeline. */

export type StepState = 'done' | 'current' | 'pending' | 'failed';

export interface TimelineStep {
  /** Canary weight of the step, or null for the final promotion. */
  weight: number | null;
  state: StepState;
}

const PROMOTING = new Set(['WaitingPromotion', 'Promoting', 'Finalising']);
const NOT_STARTED = new Set(['Initializing', 'Initialized', 'Waiting', 'Terminating', 'Terminated']);

/**
 * The planned canary weights followed by the promotion, each marked done, current, pending or failed.
 * `reachedWeight` is the highest canary weight of this run: after a rollback the current weight is 0 again,
 * and the step the run failed on is the one it had reached.
 */
export function timelineSteps(
  steps: readonly number[],
  phase: string | undefined,
  canaryWeight: number,
  reachedWeight: number,
): TimelineStep[] {
  const at = Math.max(canaryWeight, reachedWeight);
  const planned: TimelineStep[] = steps.map((weight) => ({ weight, state: 'pending' }));
  const promotion: TimelineStep = { weight: null, state: 'pending' };
  if (phase === 'Succeeded') return [...planned.map((s) => ({ ...s, state: 'done' as const })), { ...promotion, state: 'done' }];
  if (phase && PROMOTING.has(phase)) return [...planned.map((s) => ({ ...s, state: 'done' as const })), { ...promotion, state: 'current' }];
  if (phase === undefined || NOT_STARTED.has(phase) || at <= 0) {
    if (phase === 'Failed' && planned[0]) planned[0] = { ...planned[0], state: 'failed' };
    return [...planned, promotion];
  }
  // The step being run is the last one at or below the weight reached (weights between steps happen after a manual change).
  let current = -1;
  for (let i = 0; i < steps.length; i++) if ((steps[i] ?? 0) <= at) current = i;
  const marked = planned.map((s, i): TimelineStep => {
    if (i < current) return { ...s, state: 'done' };
    if (i === current) return { ...s, state: phase === 'Failed' ? 'failed' : 'current' };
    return s;
  });
  return [...marked, promotion];
}
