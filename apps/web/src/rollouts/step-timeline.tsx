import styles from './rollouts.module.css';
import { type StepState, timelineSteps } from './step-states';

const STATE_CLASS: Record<StepState, string | undefined> = {
  done: styles.stepDone,
  current: styles.stepCurrent,
  pending: styles.stepPending,
  failed: styles.stepFailed,
};
const STATE_WORD: Record<StepState, string> = { done: 'done', current: 'now', pending: 'next', failed: 'failed' };

interface StepTimelineProps {
  steps: readonly number[];
  phase: string | undefined;
  canaryWeight: number;
  reachedWeight: number;
  paused?: boolean;
}

/** The planned canary weights and the promotion, left to right, with where the run stands; state in words, not colour alone. */
export function StepTimeline({ steps, phase, canaryWeight, reachedWeight, paused = false }: StepTimelineProps) {
  const marked = timelineSteps(steps, phase, canaryWeight, reachedWeight);
  return (
    <ol className={styles.timeline} aria-label="Steps" data-testid="step-timeline">
      {marked.map((step, i) => {
        const word = step.state === 'current' && paused ? 'paused' : STATE_WORD[step.state];
        return (
          <li
            key={step.weight ?? 'promote'}
            className="inline"
            data-state={step.state}
            aria-current={step.state === 'current' ? 'step' : undefined}
          >
            {i > 0 ? (
              <span className={styles.arrow} aria-hidden="true">
                →
              </span>
            ) : null}
            <span className={`${styles.step} ${STATE_CLASS[step.state] ?? ''}`}>
              <strong>{step.weight === null ? 'Promote' : `${step.weight}%`}</strong>
              <span>{word}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
