import type { Canary, CanaryPhase, CanaryWebhookType } from '@ambit/shared';
import {
  AMBIT_GATE_URL,
  canaryNames,
  type GateType,
  intervalMs,
  maxIterations,
  maxWeight,
  nextWeight,
  progressDeadlineMs,
  strategyOf,
  TOTAL_WEIGHT,
  threshold,
  webhooksOf,
} from './canary-model';
import {
  type AmbitRolloutState,
  MAX_EVENTS,
  MAX_HISTORY,
  type PromotedCondition,
  type RolloutCheck,
  type RolloutEvent,
  type RolloutStatus,
  rolloutStatusOf,
} from './rollout-status';

/**
 * The rollout controller's decisions, as a pure function of (Canary spec and status, the target and
 * primary Deployments, the clock, metric and webhook results) → (next status, actions). Flagger's
 * state machine: Initializing → Initialized; a new revision → Progressing (Waiting at a
 * confirm-rollout gate) → step by step → WaitingPromotion at a confirm-promotion gate → Promoting →
 * Finalising → Succeeded; failed checks reaching the threshold, the progress deadline, an abort or a
 * rollback webhook → Failed with all traffic on the primary.
 *
 * Checks are asked for lazily: when the path through a tick needs metric or webhook results the
 * input lacks, the answer is `needs`; the runner gathers them and asks again with the same input.
 */

export interface DeploymentFacts {
  /** Hash of the pod template (the target's is Flagger's `lastAppliedSpec`). */
  templateHash: string;
  /** Every replica of the current template is up. */
  ready: boolean;
  replicas: number;
}

export interface TickChecks {
  metrics?: RolloutCheck[];
  webhooks?: Partial<Record<CanaryWebhookType, RolloutCheck[]>>;
}

export interface TickInput {
  now: number;
  canary: Canary;
  target: DeploymentFacts | undefined;
  primary: DeploymentFacts | undefined;
  checks?: TickChecks;
}

export interface CheckRequest {
  metrics: boolean;
  webhooks: CanaryWebhookType[];
}

export type RolloutAction =
  /** Create or update the primary Deployment (a copy of the target with `replicas`) and the three Services. */
  | { type: 'ensure-primary'; replicas: number }
  /** Copy the target's pod template to the primary. */
  | { type: 'promote' }
  | { type: 'scale-target'; replicas: number }
  /** Call these webhooks without waiting for them (post-rollout). */
  | { type: 'notify'; webhookType: 'post-rollout' };

export interface TickDecision {
  kind: 'decision';
  status: RolloutStatus;
  /** Whether `status` differs from the input's (write it). */
  changed: boolean;
  actions: RolloutAction[];
  /** Events added by this tick (for `event` webhooks and logs). */
  events: RolloutEvent[];
  /** When to tick next (ms); undefined: only when something changes. */
  nextTickAt: number | undefined;
}

const ACTIVE: readonly CanaryPhase[] = ['Progressing', 'Waiting', 'WaitingPromotion'];

export type TickResult = { kind: 'needs'; request: CheckRequest } | TickDecision;

/**
 * The HTTPRoute the status implies: the canary's weight and, for A/B testing once the first
 * iteration started, the match rules sending matching requests to the canary. The runner writes
 * it after every tick, so a restart puts back exactly the weight the status holds.
 */
export function desiredRoute(canary: Canary, status: RolloutStatus): { canaryWeight: number; abMatch: boolean } {
  const phase = status.phase;
  const inRun = phase !== undefined && (ACTIVE.includes(phase) || phase === 'Promoting');
  return {
    canaryWeight: inRun ? (status.canaryWeight ?? 0) : 0,
    abMatch: inRun && strategyOf(canary) === 'ab-testing' && (status.iterations ?? 0) > 0,
  };
}

/** How often a run waiting for a Deployment looks again. */
export const READINESS_POLL_MS = 1000;

class NeedChecks {
  constructor(readonly request: CheckRequest) {}
}

class Tick {
  readonly status: RolloutStatus;
  readonly ambit: AmbitRolloutState;
  readonly actions: RolloutAction[] = [];
  readonly events: RolloutEvent[] = [];
  readonly iso: string;
  readonly checks: RolloutCheck[] = [];
  nextTickAt: number | undefined;
  private changed = false;

  constructor(readonly input: TickInput) {
    const before = rolloutStatusOf(input.canary.status);
    this.ambit = structuredClone(before.ambit ?? {});
    this.status = { ...structuredClone(before), ambit: this.ambit };
    this.iso = new Date(input.now).toISOString();
  }

  get canary(): Canary {
    return this.input.canary;
  }
  get phase(): CanaryPhase | undefined {
    return this.status.phase;
  }
  get weight(): number {
    return this.status.canaryWeight ?? 0;
  }
  get label(): string {
    return `${this.canary.metadata.name}.${this.canary.metadata.namespace ?? 'default'}`;
  }
  get targetLabel(): string {
    return `${canaryNames(this.canary).target}.${this.canary.metadata.namespace ?? 'default'}`;
  }

  mark(): void {
    this.changed = true;
  }

  setPhase(phase: CanaryPhase, message?: string): void {
    if (this.status.phase !== phase) {
      this.status.phase = phase;
      this.status.lastTransitionTime = this.iso;
    }
    this.setCondition(phase, message ?? phaseMessage(phase));
    this.mark();
  }

  setWeight(weight: number): void {
    if (this.status.canaryWeight === weight) return;
    this.status.canaryWeight = weight;
    this.status.lastTransitionTime = this.iso;
    this.mark();
  }

  setCondition(reason: string, message: string): void {
    const status: PromotedCondition['status'] = reason === 'Succeeded' ? 'True' : reason === 'Failed' ? 'False' : 'Unknown';
    const current = this.status.conditions?.find((c) => c.type === 'Promoted');
    if (current && current.reason === reason && current.message === message) return;
    const condition: PromotedCondition = {
      type: 'Promoted',
      status,
      reason,
      message,
      lastUpdateTime: this.iso,
      lastTransitionTime: current && current.status === status ? current.lastTransitionTime : this.iso,
    };
    this.status.conditions = [condition];
    this.mark();
  }

  event(message: string, type: RolloutEvent['type'] = 'Normal', reason = 'Synced'): void {
    const event: RolloutEvent = { time: this.iso, type, reason, message };
    this.ambit.events = [...(this.ambit.events ?? []), event].slice(-MAX_EVENTS);
    this.events.push(event);
    this.mark();
  }

  /** An event only when it differs from the newest one (waiting messages repeat every poll). */
  eventOnce(message: string, type: RolloutEvent['type'] = 'Normal'): void {
    if (this.ambit.events?.[this.ambit.events.length - 1]?.message !== message) this.event(message, type);
  }

  analysed(): void {
    this.ambit.lastTickAt = this.iso;
    this.ambit.lastChecks = this.checks;
    this.mark();
  }

  record(): void {
    const entry = {
      time: this.iso,
      phase: this.status.phase ?? 'Initializing',
      canaryWeight: this.weight,
      failedChecks: this.status.failedChecks ?? 0,
      iterations: this.status.iterations ?? 0,
      checks: this.checks,
    };
    this.ambit.history = [...(this.ambit.history ?? []), entry].slice(-MAX_HISTORY);
    this.mark();
  }

  webhooks(type: CanaryWebhookType): RolloutCheck[] {
    if (webhooksOf(this.canary, type).length === 0) return [];
    const results = this.input.checks?.webhooks?.[type];
    if (!results) throw new NeedChecks({ metrics: false, webhooks: [type] });
    return results;
  }

  metrics(): RolloutCheck[] {
    if ((this.canary.spec.analysis?.metrics?.length ?? 0) === 0) return [];
    const results = this.input.checks?.metrics;
    if (!results) throw new NeedChecks({ metrics: true, webhooks: [] });
    return results;
  }

  due(): number {
    const last = this.ambit.lastTickAt ? Date.parse(this.ambit.lastTickAt) : Number.NEGATIVE_INFINITY;
    return last + intervalMs(this.canary);
  }

  isChanged(): boolean {
    return this.changed;
  }
}

function phaseMessage(phase: CanaryPhase): string {
  switch (phase) {
    case 'Initializing':
      return 'New Deployment detected, starting initialization.';
    case 'Initialized':
      return 'Deployment initialization completed.';
    case 'Waiting':
      return 'Waiting for approval.';
    case 'Progressing':
      return 'New revision detected, progressing canary analysis.';
    case 'WaitingPromotion':
      return 'Waiting for approval.';
    case 'Promoting':
      return 'Canary analysis completed, starting primary rolling update.';
    case 'Finalising':
      return 'Canary analysis completed, routing all traffic to primary.';
    case 'Succeeded':
      return 'Canary analysis completed successfully, promotion finished.';
    case 'Failed':
      return 'Canary analysis failed, Deployment scaled to zero.';
    default:
      return phase;
  }
}

export function decideTick(input: TickInput): TickResult {
  const tick = new Tick(input);
  try {
    run(tick);
  } catch (error) {
    if (error instanceof NeedChecks) return { kind: 'needs', request: error.request };
    throw error;
  }
  return {
    kind: 'decision',
    status: tick.status,
    changed: tick.isChanged(),
    actions: tick.actions,
    events: tick.events,
    nextTickAt: tick.nextTickAt,
  };
}

function run(tick: Tick): void {
  const { canary, target, primary, now } = tick.input;
  if (canary.spec.suspend) {
    // Flagger skips a suspended Canary entirely: weights and counters stay as they are.
    tick.nextTickAt = undefined;
    return;
  }
  if (!target) {
    tick.eventOnce(`${canaryNames(canary).target}.${canary.metadata.namespace ?? 'default'} not found`, 'Warning');
    tick.nextTickAt = now + intervalMs(canary);
    return;
  }
  const phase = tick.phase;
  if (phase === undefined || phase === 'Initializing') {
    initialize(tick, target, primary);
    return;
  }
  if (phase === 'Initialized' || phase === 'Succeeded' || phase === 'Failed') {
    idle(tick, target);
    return;
  }
  if (phase === 'Promoting') {
    promoting(tick, primary);
    return;
  }
  if (phase === 'Finalising') {
    finalising(tick);
    return;
  }
  if (ACTIVE.includes(phase)) {
    active(tick, target);
    return;
  }
  tick.nextTickAt = undefined;
}

function initialize(tick: Tick, target: DeploymentFacts, primary: DeploymentFacts | undefined): void {
  const { now } = tick.input;
  if (tick.phase === undefined) {
    tick.setPhase('Initializing');
    tick.ambit.replicas = Math.max(1, target.replicas);
    tick.ambit.waitingSince = tick.iso;
  }
  tick.actions.push({ type: 'ensure-primary', replicas: tick.ambit.replicas ?? Math.max(1, target.replicas) });
  tick.setWeight(0);
  if (!primary?.ready || primary.templateHash !== target.templateHash) {
    tick.eventOnce(`Waiting for ${canaryNames(tick.canary).primary}.${tick.canary.metadata.namespace ?? 'default'} rollout to finish`);
    tick.nextTickAt = now + READINESS_POLL_MS;
    return;
  }
  tick.actions.push({ type: 'scale-target', replicas: 0 });
  tick.status.lastAppliedSpec = target.templateHash;
  tick.status.lastPromotedSpec = target.templateHash;
  tick.status.failedChecks = 0;
  tick.status.iterations = 0;
  delete tick.ambit.waitingSince;
  tick.ambit.lastTickAt = tick.iso;
  tick.setPhase('Initialized');
  tick.event(`Initialization done! ${tick.label}`);
  tick.nextTickAt = now + intervalMs(tick.canary);
}

function idle(tick: Tick, target: DeploymentFacts): void {
  const { now } = tick.input;
  const retry = tick.phase === 'Failed' ? tick.ambit.commands?.retry : undefined;
  if (target.templateHash !== tick.status.lastAppliedSpec || retry) {
    startRun(tick, target, retry ? `retry by ${retry.by}` : 'revision');
    return;
  }
  if (tick.ambit.commands) {
    // Commands that do not apply outside a run are dropped, not kept for the next one.
    delete tick.ambit.commands;
    tick.mark();
  }
  if (tick.phase === 'Failed' && !tick.ambit.canaryScaledDown) {
    if (now < tick.due()) {
      tick.nextTickAt = tick.due();
      return;
    }
    tick.actions.push({ type: 'scale-target', replicas: 0 });
    tick.ambit.canaryScaledDown = true;
    tick.mark();
  }
  tick.nextTickAt = undefined;
}

function startRun(tick: Tick, target: DeploymentFacts, why: string): void {
  const { now } = tick.input;
  const restarting = tick.phase !== undefined && ACTIVE.includes(tick.phase);
  tick.status.lastAppliedSpec = target.templateHash;
  tick.status.failedChecks = 0;
  tick.status.iterations = 0;
  tick.ambit.history = [];
  tick.ambit.approvals = [];
  tick.ambit.lastChecks = [];
  delete tick.ambit.commands;
  delete tick.ambit.gate;
  delete tick.ambit.canaryScaledDown;
  tick.ambit.waitingSince = tick.iso;
  tick.ambit.lastTickAt = tick.iso;
  tick.setWeight(0);
  tick.actions.push({ type: 'scale-target', replicas: tick.ambit.replicas ?? Math.max(1, target.replicas) });
  tick.setPhase('Progressing');
  if (why !== 'revision') tick.event(`Starting ${tick.label} again (${why})`);
  else if (restarting) tick.event(`New revision detected! Restarting analysis for ${tick.targetLabel}`);
  else tick.event(`New revision detected! Scaling up ${tick.targetLabel}`);
  tick.record();
  tick.nextTickAt = now + intervalMs(tick.canary);
}

function rollback(tick: Tick, message: string): void {
  tick.event(message, 'Warning');
  tick.setWeight(0);
  tick.status.iterations = 0;
  delete tick.ambit.gate;
  delete tick.ambit.commands;
  tick.ambit.canaryScaledDown = false;
  tick.ambit.lastTickAt = tick.iso;
  tick.setPhase('Failed');
  tick.event(`Canary failed! Scaling down ${tick.targetLabel}`, 'Warning');
  tick.actions.push({ type: 'notify', webhookType: 'post-rollout' });
  tick.record();
  // The canary is scaled down one interval later: requests already routed to it finish first.
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
}

function failedCheck(tick: Tick, message: string): void {
  tick.status.failedChecks = (tick.status.failedChecks ?? 0) + 1;
  tick.event(`Halt ${tick.label} advancement ${message}`, 'Warning');
  tick.analysed();
  const limit = threshold(tick.canary);
  if ((tick.status.failedChecks ?? 0) >= limit) {
    rollback(tick, `Rolling back ${tick.label} failed checks threshold reached ${tick.status.failedChecks}`);
    return;
  }
  tick.record();
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
}

function active(tick: Tick, target: DeploymentFacts): void {
  const { now } = tick.input;
  const canary = tick.canary;
  if (target.templateHash !== tick.status.lastAppliedSpec) {
    startRun(tick, target, 'revision');
    return;
  }
  if (tick.ambit.commands?.abort) {
    rollback(tick, `Rolling back ${tick.label} manually (requested by ${tick.ambit.commands.abort.by})`);
    return;
  }
  const promote = tick.ambit.commands?.promote;
  const urgent = Boolean(promote && !promote.heldAt) || hasUnusedApproval(tick);
  if (now < tick.due() && !urgent) {
    tick.nextTickAt = tick.due();
    return;
  }
  const rollbackHooks = tick.webhooks('rollback');
  const triggered = rollbackHooks.find((h) => h.passed);
  if (triggered) {
    rollback(tick, `Rolling back ${tick.label} manual webhook invoked ${triggered.name}`);
    return;
  }
  if (!target.ready) {
    tick.ambit.waitingSince ??= tick.iso;
    const deadline = Date.parse(tick.ambit.waitingSince) + progressDeadlineMs(canary);
    if (now >= deadline) {
      rollback(tick, `Rolling back ${tick.label} progress deadline exceeded: ${tick.targetLabel} is not ready`);
      return;
    }
    tick.eventOnce(`Waiting for ${tick.targetLabel} rollout to finish`);
    tick.nextTickAt = Math.min(now + READINESS_POLL_MS, deadline);
    return;
  }
  if (tick.ambit.waitingSince) {
    delete tick.ambit.waitingSince;
    tick.mark();
  }
  if (canary.spec.skipAnalysis) {
    startPromotion(tick, 'Canary analysis skipped');
    return;
  }
  const starting = tick.weight === 0 && (tick.status.iterations ?? 0) === 0;
  if (starting && (tick.phase === 'Progressing' || tick.phase === 'Waiting')) {
    if (!gateOpen(tick, 'confirm-rollout')) return;
  }
  if (tick.phase === 'Waiting') tick.setPhase('Progressing');
  if (starting) {
    tick.eventOnce(`Starting canary analysis for ${tick.targetLabel}`);
    const pre = tick.webhooks('pre-rollout');
    tick.checks.push(...pre);
    const failed = pre.find((h) => !h.passed);
    if (failed) {
      failedCheck(tick, `pre-rollout check ${failed.name} failed: ${failed.message}`);
      return;
    }
  } else {
    const results = [...tick.webhooks('rollout'), ...tick.metrics()];
    tick.checks.push(...results);
    const failed = results.find((c) => !c.passed);
    if (failed) {
      failedCheck(tick, failed.message);
      return;
    }
  }
  if (tick.ambit.commands?.promote) {
    startPromotion(tick, `Promotion of ${tick.label} requested by ${tick.ambit.commands.promote.by}`);
    return;
  }
  switch (strategyOf(canary)) {
    case 'ab-testing':
    case 'blue-green':
      advanceIterations(tick);
      return;
    default:
      advanceWeight(tick);
      return;
  }
}

function advanceWeight(tick: Tick): void {
  const max = maxWeight(tick.canary);
  if (tick.weight >= max) {
    startPromotion(tick);
    return;
  }
  if (!gateOpen(tick, 'confirm-traffic-increase')) return;
  consumeApprovals(tick, 'confirm-traffic-increase');
  const next = nextWeight(tick.canary, tick.weight);
  tick.setWeight(next);
  tick.event(`Advance ${tick.label} canary weight ${next}`);
  tick.analysed();
  tick.record();
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
}

function advanceIterations(tick: Tick): void {
  const done = tick.status.iterations ?? 0;
  const max = maxIterations(tick.canary);
  if (done >= max) {
    startPromotion(tick);
    return;
  }
  tick.status.iterations = done + 1;
  tick.event(`Advance ${tick.label} canary iteration ${done + 1}/${max}`);
  tick.analysed();
  tick.record();
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
}

function startPromotion(tick: Tick, reason?: string): void {
  if (!gateOpen(tick, 'confirm-promotion')) {
    // A promote request held at the gate waits for the approval like the run does: it no longer wakes every tick.
    const promote = tick.ambit.commands?.promote;
    if (promote && !promote.heldAt) {
      promote.heldAt = tick.iso;
      tick.mark();
    }
    return;
  }
  if (reason) tick.event(reason);
  const names = canaryNames(tick.canary);
  const ns = tick.canary.metadata.namespace ?? 'default';
  // The weights (and A/B matches) stay while the primary rolls out.
  tick.actions.push({ type: 'promote' });
  delete tick.ambit.commands;
  tick.ambit.waitingSince = tick.iso;
  tick.event(`Copying ${names.target}.${ns} template spec to ${names.primary}.${ns}`);
  tick.setPhase('Promoting');
  tick.analysed();
  tick.record();
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
}

function promoting(tick: Tick, primary: DeploymentFacts | undefined): void {
  const { now } = tick.input;
  if (now < tick.due()) {
    tick.nextTickAt = tick.due();
    return;
  }
  const promotedTo = tick.status.lastAppliedSpec;
  if (!primary?.ready || primary.templateHash !== promotedTo) {
    tick.actions.push({ type: 'promote' });
    tick.ambit.waitingSince ??= tick.iso;
    const deadline = Date.parse(tick.ambit.waitingSince) + progressDeadlineMs(tick.canary);
    const primaryLabel = `${canaryNames(tick.canary).primary}.${tick.canary.metadata.namespace ?? 'default'}`;
    if (now >= deadline) {
      rollback(tick, `Rolling back ${tick.label} progress deadline exceeded: ${primaryLabel} is not ready`);
      return;
    }
    tick.eventOnce(`Waiting for ${primaryLabel} rollout to finish`);
    tick.nextTickAt = Math.min(now + READINESS_POLL_MS, deadline);
    return;
  }
  delete tick.ambit.waitingSince;
  const step = tick.canary.spec.analysis?.stepWeightPromotion ?? 0;
  if (step > 0 && tick.weight > 0) {
    const next = Math.max(0, tick.weight - step);
    tick.setWeight(next);
    tick.event(`Advance ${tick.label} primary weight ${TOTAL_WEIGHT - next}`);
  } else {
    tick.setWeight(0);
    tick.event(`Routing all traffic to primary`);
  }
  tick.analysed();
  if (tick.weight === 0) tick.setPhase('Finalising');
  tick.record();
  tick.nextTickAt = now + intervalMs(tick.canary);
}

function finalising(tick: Tick): void {
  const { now } = tick.input;
  if (now < tick.due()) {
    tick.nextTickAt = tick.due();
    return;
  }
  tick.setWeight(0);
  tick.actions.push({ type: 'scale-target', replicas: 0 });
  tick.status.lastPromotedSpec = tick.status.lastAppliedSpec;
  tick.status.iterations = 0;
  tick.ambit.lastTickAt = tick.iso;
  tick.ambit.canaryScaledDown = true;
  tick.setPhase('Succeeded');
  tick.event(`Promotion completed! Scaling down ${tick.targetLabel}`);
  tick.actions.push({ type: 'notify', webhookType: 'post-rollout' });
  tick.record();
  tick.nextTickAt = undefined;
}

function hasUnusedApproval(tick: Tick): boolean {
  return tick.ambit.gate !== undefined && (tick.ambit.approvals ?? []).some((a) => a.gate === tick.ambit.gate?.type);
}

function approved(tick: Tick, gate: GateType): boolean {
  return (tick.ambit.approvals ?? []).some((a) => a.gate === gate);
}

function consumeApprovals(tick: Tick, gate: GateType): void {
  if (!approved(tick, gate)) return;
  // A traffic-increase approval opens one step; the others hold for the whole run.
  tick.ambit.approvals = (tick.ambit.approvals ?? []).filter((a) => a.gate !== gate);
  tick.mark();
}

/** Flagger's gate: every confirm-* webhook of the type must answer 2xx; an approval recorded for this run opens it too. */
function gateOpen(tick: Tick, gate: GateType): boolean {
  const hooks = webhooksOf(tick.canary, gate);
  if (hooks.length === 0 || approved(tick, gate)) {
    if (tick.ambit.gate?.type === gate) {
      tick.event(`Confirm-${gate.slice('confirm-'.length)} check passed for ${tick.label}`);
      delete tick.ambit.gate;
    }
    return true;
  }
  const builtIn = hooks.filter((h) => h.url === AMBIT_GATE_URL);
  const called = hooks.length > builtIn.length ? tick.webhooks(gate) : [];
  const closed = builtIn[0] ?? hooks.find((h) => !called.find((c) => c.name === h.name)?.passed);
  if (!closed) {
    if (tick.ambit.gate?.type === gate) {
      tick.event(`Confirm-${gate.slice('confirm-'.length)} check passed for ${tick.label}`);
      delete tick.ambit.gate;
    }
    return true;
  }
  if (tick.ambit.gate?.type !== gate || tick.ambit.gate.webhook !== closed.name) {
    tick.ambit.gate = { type: gate, webhook: closed.name, url: closed.url, builtIn: closed.url === AMBIT_GATE_URL, since: tick.iso };
    const what =
      gate === 'confirm-rollout' ? 'approval' : gate === 'confirm-promotion' ? 'promotion approval' : 'traffic increase approval';
    tick.event(`Halt ${tick.label} advancement waiting for ${what} ${closed.name}`);
  }
  if (gate === 'confirm-rollout') tick.setPhase('Waiting');
  else if (gate === 'confirm-promotion') tick.setPhase('WaitingPromotion');
  tick.analysed();
  tick.record();
  tick.nextTickAt = tick.input.now + intervalMs(tick.canary);
  return false;
}
