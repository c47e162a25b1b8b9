import type { Canary, CanaryWebhookType } from '@ambit/shared';
import { AMBIT_GATE_URL, plannedSteps } from './canary-model';

/** The console wizard's answers → a Flagger Canary that applies anywhere Flagger runs (plus Ambit's built-in gates). */

export interface CanaryWizardInput {
  namespace: string;
  target: string;
  name?: string;
  service: { name?: string; port: number; targetPort?: number | string };
  strategy: 'canary' | 'ab-testing';
  interval: string;
  threshold: number;
  maxWeight?: number;
  stepWeight?: number;
  stepWeights?: number[];
  stepWeightPromotion?: number;
  iterations?: number;
  match?: { headers?: Record<string, { exact?: string; prefix?: string; regex?: string }> }[];
  successRateMin?: number | null;
  durationMaxMs?: number | null;
  metricInterval?: string;
  gates?: { confirmRollout?: boolean; confirmTrafficIncrease?: boolean; confirmPromotion?: boolean };
  webhooks?: { name: string; type: CanaryWebhookType; url: string; timeout?: string; metadata?: Record<string, string> }[];
  progressDeadlineSeconds?: number;
  skipAnalysis?: boolean;
}

export interface CanaryPreview {
  canary: Canary;
  steps: number[];
  warnings: string[];
}

export function canaryFromWizard(input: CanaryWizardInput): CanaryPreview {
  const warnings: string[] = [];
  const metricInterval = input.metricInterval ?? '1m';
  const metrics = [
    ...(input.successRateMin === null
      ? []
      : [{ name: 'request-success-rate', thresholdRange: { min: input.successRateMin ?? 99 }, interval: metricInterval }]),
    ...(input.durationMaxMs === null
      ? []
      : [{ name: 'request-duration', thresholdRange: { max: input.durationMaxMs ?? 500 }, interval: metricInterval }]),
  ];
  if (metrics.length === 0) warnings.push('no metrics: every step passes without looking at the canary’s traffic');
  const gate = (type: CanaryWebhookType, name: string) => ({ name, type, url: AMBIT_GATE_URL });
  const webhooks = [
    ...(input.gates?.confirmRollout ? [gate('confirm-rollout', 'ambit-approve-rollout')] : []),
    ...(input.gates?.confirmTrafficIncrease ? [gate('confirm-traffic-increase', 'ambit-approve-step')] : []),
    ...(input.gates?.confirmPromotion ? [gate('confirm-promotion', 'ambit-approve-promotion')] : []),
    ...(input.webhooks ?? []),
  ];
  const stepping =
    input.strategy === 'canary'
      ? input.stepWeights && input.stepWeights.length > 0
        ? { stepWeights: input.stepWeights }
        : { maxWeight: input.maxWeight ?? 50, stepWeight: input.stepWeight ?? 10 }
      : { iterations: input.iterations ?? 10, match: input.match ?? [] };
  if (input.strategy === 'ab-testing' && (input.match?.length ?? 0) === 0) warnings.push('A/B testing needs at least one match rule');
  const canary: Canary = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: input.name ?? input.target, namespace: input.namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.target },
      ...(input.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: input.progressDeadlineSeconds } : {}),
      service: {
        ...(input.service.name ? { name: input.service.name } : {}),
        port: input.service.port,
        ...(input.service.targetPort !== undefined ? { targetPort: input.service.targetPort } : {}),
      },
      ...(input.skipAnalysis ? { skipAnalysis: true } : {}),
      analysis: {
        interval: input.interval,
        threshold: input.threshold,
        ...stepping,
        ...(input.stepWeightPromotion !== undefined ? { stepWeightPromotion: input.stepWeightPromotion } : {}),
        metrics,
        ...(webhooks.length > 0 ? { webhooks } : {}),
      },
    },
  } as Canary;
  return { canary, steps: plannedSteps(canary), warnings };
}
