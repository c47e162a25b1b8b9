import type { Canary, CanaryAnalysis, CanaryWebhookType } from '@ambit/shared';

/**
 * A Canary's spec read the way Flagger reads it: defaults filled in, the generated objects' names,
 * and the weight steps the run will take.
 */

export const DEFAULT_INTERVAL_SECONDS = 60;
export const DEFAULT_THRESHOLD = 1;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_METRIC_INTERVAL_SECONDS = 60;
export const TOTAL_WEIGHT = 100;
/** Ambit's built-in gate: never called; only an approval recorded through the API opens it. */
export const AMBIT_GATE_URL = 'http://ambit-gate.ambit-system/approve';

export type RolloutStrategy = 'canary' | 'ab-testing' | 'blue-green';
export type GateType = Extract<CanaryWebhookType, 'confirm-rollout' | 'confirm-traffic-increase' | 'confirm-promotion'>;
export const GATE_TYPES: readonly GateType[] = ['confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'];

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration (`1m30s`, `500ms`) → milliseconds; undefined when it is not one. */
export function goDurationMs(text: string): number | undefined {
  const part = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    consumed = part.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? total : undefined;
}

export interface CanaryNames {
  /** The target Deployment: it becomes the canary. */
  target: string;
  primary: string;
  /** The apex Service and the HTTPRoute. */
  service: string;
  primaryService: string;
  canaryService: string;
  route: string;
}

export function canaryNames(canary: Canary): CanaryNames {
  const target = canary.spec.targetRef.name;
  const service = canary.spec.service.name ?? target;
  return {
    target,
    primary: `${target}-primary`,
    service,
    primaryService: `${service}-primary`,
    canaryService: `${service}-canary`,
    route: service,
  };
}

function analysisOf(canary: Canary): CanaryAnalysis {
  return canary.spec.analysis ?? {};
}

export function intervalMs(canary: Canary): number {
  const text = analysisOf(canary).interval;
  return (text ? goDurationMs(text) : undefined) ?? DEFAULT_INTERVAL_SECONDS * 1000;
}

export function threshold(canary: Canary): number {
  const value = analysisOf(canary).threshold;
  return value && value > 0 ? value : DEFAULT_THRESHOLD;
}

export function progressDeadlineMs(canary: Canary): number {
  return (canary.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;
}

export function maxIterations(canary: Canary): number {
  return analysisOf(canary).iterations ?? 0;
}

export function strategyOf(canary: Canary): RolloutStrategy {
  const a = analysisOf(canary);
  const stepping = (a.stepWeight ?? 0) > 0 || (a.stepWeights?.length ?? 0) > 0;
  if ((a.iterations ?? 0) > 0 && (a.match?.length ?? 0) > 0) return 'ab-testing';
  if ((a.iterations ?? 0) > 0 && !stepping) return 'blue-green';
  return 'canary';
}

/** stepWeights apply when stepWeight is 0; their last entry is then the maximum weight. */
function usesStepWeights(a: CanaryAnalysis): boolean {
  return (a.stepWeight ?? 0) === 0 && (a.stepWeights?.length ?? 0) > 0;
}

export function maxWeight(canary: Canary): number {
  const a = analysisOf(canary);
  if (usesStepWeights(a)) return a.stepWeights?.[a.stepWeights.length - 1] ?? TOTAL_WEIGHT;
  return a.maxWeight && a.maxWeight > 0 ? a.maxWeight : TOTAL_WEIGHT;
}

/** The weight after `current`, as Flagger steps: linear steps overshoot maxWeight (capped at 100). */
export function nextWeight(canary: Canary, current: number): number {
  const a = analysisOf(canary);
  if (!usesStepWeights(a)) return Math.min(TOTAL_WEIGHT, current + (a.stepWeight ?? 0));
  const steps = a.stepWeights ?? [];
  const next = steps.find((w) => w > current);
  return Math.min(TOTAL_WEIGHT, next ?? TOTAL_WEIGHT);
}

/** Every canary weight the run will set before promotion, e.g. [10, 20, 30, 40, 50]. */
export function plannedSteps(canary: Canary): number[] {
  if (strategyOf(canary) !== 'canary') return [];
  const max = maxWeight(canary);
  const steps: number[] = [];
  for (let w = 0; w < max && steps.length < TOTAL_WEIGHT; ) {
    const next = nextWeight(canary, w);
    if (next <= w) break;
    steps.push(next);
    w = next;
  }
  return steps;
}

export function webhooksOf(canary: Canary, type: CanaryWebhookType) {
  // A webhook without a type is a rollout hook, as in Flagger.
  return (analysisOf(canary).webhooks ?? []).filter((w) => (w.type ?? 'rollout') === type);
}

export function selectorLabelKeys(): readonly string[] {
  return ['app', 'name', 'app.kubernetes.io/name'];
}
