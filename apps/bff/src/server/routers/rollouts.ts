import {
  approveRolloutGate,
  canaryFromWizard,
  GATE_TYPES,
  type RolloutCommandName,
  type RolloutDetail,
  type RolloutSummary,
  requestRolloutCommand,
  rolloutDetail,
  rolloutSummary,
  suspendedCanary,
} from '@ambit/control-plane';
import { describeKey, type ObjectKey, STORE_WRITERS } from '@ambit/control-plane/store';
import { AmbitError, canaryWebhookTypes, dnsLabel, encodeManifests, goDuration, objectName } from '@ambit/shared';
import { z } from 'zod';
import type { AuditRecorder } from '../audit/recorder';
import { actorName } from '../auth/principal';
import type { BffContext } from '../context';
import { operatorProcedure, router, viewerProcedure } from '../trpc';

/**
 * Canary rollouts (Flagger's Canary, driven by the control plane's rollout controller): their runs,
 * operator commands (promote, pause, resume, abort, retry, approve a gate), and the wizard's preview.
 */

const rolloutInput = z.strictObject({ namespace: dnsLabel, name: objectName });
const percent = z.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100');

export const rolloutWizardInput = z.strictObject({
  namespace: dnsLabel,
  target: objectName,
  name: objectName.optional(),
  service: z.strictObject({
    name: objectName.optional(),
    port: z.number().int().min(1).max(65535),
    targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1)]).optional(),
  }),
  strategy: z.enum(['canary', 'ab-testing']).default('canary'),
  interval: goDuration.default('1m'),
  threshold: z.number().int().min(1).default(5),
  maxWeight: percent.optional(),
  stepWeight: percent.optional(),
  stepWeights: z
    .array(percent)
    .max(100)
    .refine((w) => w.every((v, i) => i === 0 || v > (w[i - 1] ?? 0)), 'must be ascending')
    .optional(),
  stepWeightPromotion: percent.optional(),
  iterations: z.number().int().min(1).optional(),
  match: z
    .array(
      z.strictObject({
        headers: z
          .record(
            z.string().min(1),
            z.strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() }),
          )
          .optional(),
      }),
    )
    .max(16)
    .optional(),
  successRateMin: z.number().min(0).max(100).nullable().optional(),
  durationMaxMs: z.number().positive().nullable().optional(),
  metricInterval: goDuration.optional(),
  gates: z
    .strictObject({
      confirmRollout: z.boolean().optional(),
      confirmTrafficIncrease: z.boolean().optional(),
      confirmPromotion: z.boolean().optional(),
    })
    .optional(),
  webhooks: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        type: z.enum(canaryWebhookTypes),
        url: z.url({ protocol: /^https?$/ }),
        timeout: goDuration.optional(),
        metadata: z.record(z.string(), z.string()).optional(),
      }),
    )
    .max(32)
    .optional(),
  progressDeadlineSeconds: z.number().int().min(0).optional(),
  skipAnalysis: z.boolean().optional(),
});

function canaryKey(input: { namespace: string; name: string }): ObjectKey {
  return { kind: 'Canary', namespace: input.namespace, name: input.name };
}

function auditTarget(key: ObjectKey) {
  return { kind: key.kind, namespace: key.namespace, name: key.name };
}

function detailOf(ctx: BffContext, key: ObjectKey): RolloutDetail {
  const { store } = ctx.services.controlPlane;
  const stored = store.get(key);
  if (!stored) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
  return rolloutDetail(store, stored);
}

async function command(
  ctx: BffContext & { audit: AuditRecorder },
  input: { namespace: string; name: string },
  name: RolloutCommandName,
): Promise<RolloutDetail> {
  const { store } = ctx.services.controlPlane;
  const key = canaryKey(input);
  const change = ctx.audit.target(auditTarget(key), { before: store.get(key), detail: { command: name } });
  change.after = await requestRolloutCommand(store, key, name, actorName(ctx.principal));
  return detailOf(ctx, key);
}

async function setSuspended(
  ctx: BffContext & { audit: AuditRecorder },
  input: { namespace: string; name: string },
  suspend: boolean,
): Promise<RolloutDetail> {
  const { store } = ctx.services.controlPlane;
  const key = canaryKey(input);
  const stored = store.get(key);
  if (!stored) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
  const change = ctx.audit.target(auditTarget(key), { before: stored, detail: { suspend } });
  const [result] = await store.applyAsync([suspendedCanary(stored, suspend)], {
    author: actorName(ctx.principal),
    writer: STORE_WRITERS.console,
    defaultNamespace: key.namespace,
  });
  change.after = result?.object;
  return detailOf(ctx, key);
}

export const rolloutsRouter = router({
  list: viewerProcedure.input(z.strictObject({ namespace: dnsLabel.optional() })).query(({ ctx, input }): { items: RolloutSummary[] } => {
    const items = ctx.services.controlPlane.store.list('Canary', input.namespace).map(rolloutSummary);
    return { items };
  }),

  get: viewerProcedure.input(rolloutInput).query(({ ctx, input }) => detailOf(ctx, canaryKey(input))),

  /** Skips the remaining steps: the next tick promotes (confirm-promotion gates still hold unless approved). */
  promote: operatorProcedure.input(rolloutInput).mutation(({ ctx, input }) => command(ctx, input, 'promote')),

  /** `spec.suspend: true`, as Flagger users write it: a normal change, in history. */
  pause: operatorProcedure.input(rolloutInput).mutation(({ ctx, input }) => setSuspended(ctx, input, true)),

  resume: operatorProcedure.input(rolloutInput).mutation(({ ctx, input }) => setSuspended(ctx, input, false)),

  /** Rolls back at the next tick: all traffic to the primary, phase Failed. */
  abort: operatorProcedure.input(rolloutInput).mutation(({ ctx, input }) => command(ctx, input, 'abort')),

  /** Starts a Failed run of the same revision again from weight 0. */
  retry: operatorProcedure.input(rolloutInput).mutation(({ ctx, input }) => command(ctx, input, 'retry')),

  /** Opens a confirm-* gate for the current run (confirm-traffic-increase: for one step). */
  approve: operatorProcedure
    .input(rolloutInput.extend({ gate: z.enum(GATE_TYPES as [string, ...string[]]) }))
    .mutation(async ({ ctx, input }) => {
      const { store } = ctx.services.controlPlane;
      const key = canaryKey(input);
      const gate = input.gate as (typeof GATE_TYPES)[number];
      const change = ctx.audit.target(auditTarget(key), { before: store.get(key), detail: { approve: gate } });
      change.after = await approveRolloutGate(store, key, gate, actorName(ctx.principal));
      return detailOf(ctx, key);
    }),

  /** The wizard's answers as a Canary manifest; apply it with resources.applyManifests. */
  createPreview: viewerProcedure.input(rolloutWizardInput).query(({ input }) => {
    const preview = canaryFromWizard(input);
    return { yaml: encodeManifests([preview.canary]), canary: preview.canary as unknown, steps: preview.steps, warnings: preview.warnings };
  }),
});
