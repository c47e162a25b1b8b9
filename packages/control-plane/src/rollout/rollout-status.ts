import type { CanaryPhase } from '@ambit/shared';
import type { GateType } from './canary-model';

/**
 * The Canary's status as the rollout controller writes it: Flagger's fields (phase, canaryWeight,
 * failedChecks, iterations, lastAppliedSpec, lastPromotedSpec, lastTransitionTime, conditions) and,
 * under `ambit`, what a restart needs to resume at the same step and what the console shows.
 */

export interface RolloutCheck {
  name: string;
  kind: 'metric' | 'webhook';
  /** null: no data, which counts as a failed check (Flagger's semantics). */
  value: number | null;
  min?: number;
  max?: number;
  passed: boolean;
  message: string;
}

export interface RolloutEvent {
  time: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RolloutStepRecord {
  time: string;
  phase: CanaryPhase;
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  checks: RolloutCheck[];
}

export interface RolloutGate {
  type: GateType;
  webhook: string;
  url: string;
  builtIn: boolean;
  since: string;
}

export interface RolloutApproval {
  gate: GateType;
  by: string;
  at: string;
}

export interface RolloutCommand {
  by: string;
  at: string;
  /** When a promote request was held at a closed confirm-promotion gate: it then waits for the approval. */
  heldAt?: string;
}

/** Operator requests the controller acts on at its next tick. */
export interface RolloutCommands {
  promote?: RolloutCommand;
  abort?: RolloutCommand;
  retry?: RolloutCommand;
}

export interface AmbitRolloutState {
  /** The last analysis tick: the next one is one interval later, also after a restart. */
  lastTickAt?: string;
  /** Since when the run waits for a Deployment to be ready (the progress deadline counts from here). */
  waitingSince?: string;
  gate?: RolloutGate;
  approvals?: RolloutApproval[];
  commands?: RolloutCommands;
  events?: RolloutEvent[];
  history?: RolloutStepRecord[];
  lastChecks?: RolloutCheck[];
  /** After a rollback the canary keeps running one more interval so requests already routed to it finish. */
  canaryScaledDown?: boolean;
  /** Replicas the canary gets when a run starts (the target's replicas when the Canary was initialized). */
  replicas?: number;
}

export interface PromotedCondition {
  type: 'Promoted';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** Flagger's status fields (see CanaryStatus) with the controller's own under `ambit`. */
export interface RolloutStatus {
  phase?: CanaryPhase;
  canaryWeight?: number;
  failedChecks?: number;
  iterations?: number;
  lastAppliedSpec?: string;
  lastPromotedSpec?: string;
  lastTransitionTime?: string;
  conditions?: PromotedCondition[];
  ambit?: AmbitRolloutState;
}

export const MAX_EVENTS = 100;
export const MAX_HISTORY = 200;

export function rolloutStatusOf(status: unknown): RolloutStatus {
  return (status && typeof status === 'object' ? status : {}) as RolloutStatus;
}
