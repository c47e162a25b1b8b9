/**
 * What the rollout page draws from the controller's own records of a run (rollouts.get's history):
 * the set weight over time, the analysis values per check, the failed checks with their reasons.
 */

export const SUCCESS_RATE = 'request-success-rate';
export const DURATION = 'request-duration';

/** The parts of a RolloutStepRecord these functions read. */
export interface StepRecordLike {
  time: string;
  phase: string;
  canaryWeight: number;
  checks: readonly CheckLike[];
}

export interface CheckLike {
  name: string;
  kind: string;
  value: number | null;
  min?: number | undefined;
  max?: number | undefined;
  passed: boolean;
  message: string;
}

export interface FailedCheck extends CheckLike {
  time: string;
}

/** A chart line: times (ms) and values aligned; null is a gap. */
export interface TimedValues {
  timestamps: number[];
  values: (number | null)[];
}

/** The set canary weight at every record. */
export function setWeights(history: readonly StepRecordLike[]): TimedValues {
  return { timestamps: history.map((r) => Date.parse(r.time)), values: history.map((r) => r.canaryWeight) };
}

/** The value one check measured at each record that ran it; null where it had no data (a failed check in Flagger's terms). */
export function checkValues(history: readonly StepRecordLike[], name: string): TimedValues {
  const line: TimedValues = { timestamps: [], values: [] };
  for (const record of history) {
    const check = record.checks.find((c) => c.name === name);
    if (!check) continue;
    line.timestamps.push(Date.parse(record.time));
    line.values.push(check.value);
  }
  return line;
}

/** The highest canary weight of the run: where a rolled-back run had got to. */
export function reachedWeight(history: readonly StepRecordLike[], canaryWeight: number): number {
  return history.reduce((max, r) => Math.max(max, r.canaryWeight), canaryWeight);
}

/** Every failed check of the run, newest first, each with the controller's reason. */
export function failedChecks(history: readonly StepRecordLike[]): FailedCheck[] {
  const failed: FailedCheck[] = [];
  for (const record of history) for (const check of record.checks) if (!check.passed) failed.push({ ...check, time: record.time });
  return failed.reverse();
}

/** The thresholds of the built-in metrics as written in the Canary (spec.analysis.metrics[].thresholdRange). */
export function metricThresholds(canary: unknown): { successRateMin: number | null; durationMaxMs: number | null } {
  const metrics = (canary as { spec?: { analysis?: { metrics?: unknown } } } | null)?.spec?.analysis?.metrics;
  const list = Array.isArray(metrics) ? (metrics as { name?: unknown; thresholdRange?: { min?: unknown; max?: unknown } }[]) : [];
  const bound = (name: string, side: 'min' | 'max') => {
    const value = list.find((m) => m?.name === name)?.thresholdRange?.[side];
    return typeof value === 'number' ? value : null;
  };
  return { successRateMin: bound(SUCCESS_RATE, 'min'), durationMaxMs: bound(DURATION, 'max') };
}

/**
 * Why a run failed, in the controller's words. Flagger (and Ambit's controller) says why in a warning event that
 * starts "Rolling back" (threshold reached, aborted by someone, deadline); the Failed condition itself is generic.
 */
export function failureReason(
  conditions: readonly { status: string; reason?: string | undefined; message?: string | undefined }[],
  events: readonly { type: string; reason: string; message: string }[],
): string | null {
  const warnings = events.filter((e) => e.type === 'Warning');
  const rollback = warnings.findLast((e) => e.message.startsWith('Rolling back'));
  if (rollback) return rollback.message;
  const condition = conditions.find((c) => c.status === 'False' && (c.message || c.reason));
  if (condition) return condition.message || condition.reason || null;
  const last = warnings[warnings.length - 1];
  return last ? last.message || last.reason : null;
}
