import styles from './rollouts.module.css';

const GOOD = new Set(['Succeeded', 'Initialized']);
const BAD = new Set(['Failed']);
const BUSY = new Set(['Progressing', 'Promoting', 'Finalising', 'WaitingPromotion', 'Initializing', 'Waiting']);
/** Phases in which the controller is moving traffic: the page refreshes fast then. */
const ACTIVE = new Set(['Initializing', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Terminating']);

export function isActivePhase(phase: string | null | undefined): boolean {
  return phase === null || phase === undefined || ACTIVE.has(phase);
}

/** The phase as a word with a tone; "Paused" when suspended, since that is what the user needs to see first. */
export function PhaseBadge({ phase, suspended = false }: { phase: string | null; suspended?: boolean }) {
  const word = phase ?? 'Pending';
  const tone = BAD.has(word) ? styles.phaseBad : GOOD.has(word) ? styles.phaseGood : BUSY.has(word) ? styles.phaseBusy : styles.phaseIdle;
  return (
    <span className={`${styles.phase} ${tone}`} data-testid="rollout-phase" data-phase={word}>
      {word}
      {suspended ? ' · paused' : ''}
    </span>
  );
}
