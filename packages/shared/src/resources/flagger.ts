import { z } from 'zod';
import { objectSchema } from './meta';

/**
 * Flagger's `Canary` (flagger.app/v1beta1). The fields Ambit's rollout controller acts on are
 * typed; the many provider-specific ones (corsPolicy, trafficPolicy, alerts...) are kept as written
 * so manifests made for Flagger apply unchanged.
 */

/** Flagger durations are Go durations: `1m`, `30s`, `1m30s`, `500ms`. */
export const goDuration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, 'must be a duration such as 30s, 1m or 1m30s');

const percent = z.number().min(0, 'must be 0-100').max(100, 'must be 0-100');

export const canaryMetricSchema = z.looseObject({
  name: z.string().min(1),
  interval: goDuration.optional(),
  thresholdRange: z.strictObject({ min: z.number().optional(), max: z.number().optional() }).optional(),
  threshold: z.number().optional(),
  query: z.string().optional(),
  templateRef: z.looseObject({ name: z.string(), namespace: z.string().optional() }).optional(),
  templateVariables: z.record(z.string(), z.string()).optional(),
});

export const canaryWebhookTypes = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const;

export const canaryWebhookSchema = z.looseObject({
  type: z.enum(canaryWebhookTypes).optional(),
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  timeout: goDuration.optional(),
  muteAlert: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

const stringMatch = z.looseObject({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
  regex: z.string().optional(),
});

export const canaryMatchSchema = z.looseObject({
  headers: z.record(z.string(), stringMatch).optional(),
  sourceLabels: z.record(z.string(), z.string()).optional(),
});

export const canaryAnalysisSchema = z.looseObject({
  interval: goDuration.optional(),
  iterations: z.number().int().min(0).optional(),
  threshold: z.number().int().min(0).optional(),
  maxWeight: percent.optional(),
  stepWeight: percent.optional(),
  stepWeights: z.array(percent).optional(),
  stepWeightPromotion: percent.optional(),
  mirror: z.boolean().optional(),
  mirrorWeight: percent.optional(),
  match: z.array(canaryMatchSchema).optional(),
  metrics: z.array(canaryMetricSchema).optional(),
  webhooks: z.array(canaryWebhookSchema).optional(),
  sessionAffinity: z.looseObject({ cookieName: z.string().optional(), maxAge: z.number().int().optional() }).optional(),
});

export const canarySpecSchema = z.looseObject({
  provider: z.string().optional(),
  targetRef: z.looseObject({ apiVersion: z.string().optional(), kind: z.string().min(1), name: z.string().min(1) }),
  autoscalerRef: z.looseObject({}).optional(),
  routeRef: z.looseObject({}).optional(),
  progressDeadlineSeconds: z.number().int().min(0).optional(),
  service: z.looseObject({
    name: z.string().optional(),
    port: z.number().int().min(1).max(65535),
    targetPort: z.union([z.number().int(), z.string()]).optional(),
    portName: z.string().optional(),
    gatewayRefs: z.array(z.looseObject({ name: z.string(), namespace: z.string().optional() })).optional(),
  }),
  skipAnalysis: z.boolean().optional(),
  suspend: z.boolean().optional(),
  revertOnDeletion: z.boolean().optional(),
  analysis: canaryAnalysisSchema.optional(),
});

export const canaryPhases = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  'Terminated',
] as const;

export const canaryStatusSchema = z.looseObject({
  phase: z.enum(canaryPhases).optional(),
  canaryWeight: z.number().optional(),
  failedChecks: z.number().int().optional(),
  iterations: z.number().int().optional(),
  lastAppliedSpec: z.string().optional(),
  lastPromotedSpec: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
});

export const canarySchema = objectSchema('Canary', canarySpecSchema, canaryStatusSchema);

export type Canary = z.infer<typeof canarySchema>;
export type CanarySpec = z.infer<typeof canarySpecSchema>;
export type CanaryAnalysis = z.infer<typeof canaryAnalysisSchema>;
export type CanaryStatus = z.infer<typeof canaryStatusSchema>;
export type CanaryPhase = (typeof canaryPhases)[number];
export type CanaryWebhookType = (typeof canaryWebhookTypes)[number];
