import type { Canary, CanaryPhase, HttpRouteRule } from '@ambit/shared';
import type { Store, StoredObject } from '../store/types';
import {
  canaryNames,
  intervalMs,
  maxIterations,
  plannedSteps,
  type RolloutStrategy,
  strategyOf,
  TOTAL_WEIGHT,
  threshold,
} from './canary-model';
import type { RolloutApproval, RolloutCheck, RolloutEvent, RolloutGate, RolloutStepRecord } from './rollout-status';
import { rolloutStatusOf } from './rollout-status';

/** What the console shows of a Canary: its run at a glance (summary) and in full (detail). */

export interface RolloutSummary {
  namespace: string;
  name: string;
  target: string;
  service: string;
  strategy: RolloutStrategy;
  phase: CanaryPhase | null;
  canaryWeight: number;
  primaryWeight: number;
  failedChecks: number;
  threshold: number;
  iterations: number;
  maxIterations: number | null;
  suspended: boolean;
  gate: RolloutGate | null;
  revision: string | null;
  lastTransitionTime: string | null;
  resourceVersion: string;
}

export interface RolloutCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface RolloutDetail extends RolloutSummary {
  canary: StoredObject;
  steps: number[];
  intervalSeconds: number;
  nextTickAt: string | null;
  conditions: RolloutCondition[];
  events: RolloutEvent[];
  history: RolloutStepRecord[];
  lastChecks: RolloutCheck[];
  approvals: RolloutApproval[];
  route: { name: string; backends: { name: string; weight: number }[] } | null;
}

export function rolloutSummary(stored: StoredObject): RolloutSummary {
  const canary = stored as unknown as Canary;
  const status = rolloutStatusOf(stored.status);
  const names = canaryNames(canary);
  const weight = status.canaryWeight ?? 0;
  const iterations = maxIterations(canary);
  return {
    namespace: stored.metadata.namespace ?? 'default',
    name: stored.metadata.name,
    target: names.target,
    service: names.service,
    strategy: strategyOf(canary),
    phase: status.phase ?? null,
    canaryWeight: weight,
    primaryWeight: TOTAL_WEIGHT - weight,
    failedChecks: status.failedChecks ?? 0,
    threshold: threshold(canary),
    iterations: status.iterations ?? 0,
    maxIterations: iterations > 0 ? iterations : null,
    suspended: canary.spec.suspend === true,
    gate: status.ambit?.gate ?? null,
    revision: status.lastAppliedSpec ?? null,
    lastTransitionTime: status.lastTransitionTime ?? null,
    resourceVersion: stored.metadata.resourceVersion,
  };
}

const IDLE: readonly (CanaryPhase | null)[] = [null, 'Initialized', 'Succeeded', 'Terminated'];

export function rolloutDetail(store: Store, stored: StoredObject): RolloutDetail {
  const canary = stored as unknown as Canary;
  const summary = rolloutSummary(stored);
  const status = rolloutStatusOf(stored.status);
  const names = canaryNames(canary);
  const route = store.get({ kind: 'HTTPRoute', namespace: summary.namespace, name: names.route });
  const rules = (route?.spec as { rules?: HttpRouteRule[] } | undefined)?.rules ?? [];
  const last = rules[rules.length - 1];
  const lastTick = status.ambit?.lastTickAt ? Date.parse(status.ambit.lastTickAt) : undefined;
  const waiting = summary.suspended || IDLE.includes(summary.phase) || (summary.phase === 'Failed' && status.ambit?.canaryScaledDown);
  return {
    ...summary,
    canary: stored,
    steps: plannedSteps(canary),
    intervalSeconds: intervalMs(canary) / 1000,
    nextTickAt: waiting || lastTick === undefined ? null : new Date(lastTick + intervalMs(canary)).toISOString(),
    conditions: (status.conditions ?? []) as RolloutCondition[],
    events: status.ambit?.events ?? [],
    history: status.ambit?.history ?? [],
    lastChecks: status.ambit?.lastChecks ?? [],
    approvals: status.ambit?.approvals ?? [],
    route: route
      ? { name: route.metadata.name, backends: (last?.backendRefs ?? []).map((b) => ({ name: b.name, weight: b.weight ?? 1 })) }
      : null,
  };
}
