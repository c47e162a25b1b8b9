import type { Canary, CanaryAnalysis, Deployment, HttpRoute } from '@ambit/shared';
import { CODES } from '../codes';
import type { AnalysisContext, Analyzer } from '../context';
import { messageFor, namespaceOf } from '../message';
import type { AnalysisMessage } from '../types';

/**
 * Flagger Canaries that cannot roll out as written: no way to shift traffic, steps past
 * maxWeight, checks that can never pass, a port the target does not serve, and (for
 * information) the Services and HTTPRoute it shifts traffic with not existing yet.
 * (A missing target Deployment is the references analyzer's.)
 */
export const canaryAnalyzer: Analyzer = (ctx) =>
  ctx
    .ofKind<Canary>('Canary')
    .flatMap((canary) => [
      ...stepMessages(canary),
      ...checkMessages(canary),
      ...portMessages(ctx, canary),
      ...routingMessages(ctx, canary),
    ]);

const DEFAULT_MAX_WEIGHT = 100;
const MIN_INTERVAL_MS = 10_000;
const BUILT_IN_METRICS: ReadonlySet<string> = new Set(['request-success-rate', 'request-duration']);

function stepMessages(canary: Canary): AnalysisMessage[] {
  const analysis: CanaryAnalysis = canary.spec.analysis ?? {};
  const stepWeight = analysis.stepWeight ?? 0;
  const stepWeights = analysis.stepWeights ?? [];
  if (stepWeight <= 0 && stepWeights.length === 0 && !analysis.iterations) {
    return [
      messageFor(
        CODES.CanaryHasNoSteps,
        canary,
        canary.spec.analysis ? 'spec.analysis' : 'spec',
        'The canary never shifts traffic: set analysis.stepWeight or analysis.stepWeights for a canary release, or analysis.iterations for A/B testing or blue/green',
      ),
    ];
  }
  const out: AnalysisMessage[] = [];
  // stepWeight wins when both are set, as in Flagger.
  if (stepWeight > 0) {
    const maxWeight = analysis.maxWeight ?? DEFAULT_MAX_WEIGHT;
    const last = Math.ceil(maxWeight / stepWeight) * stepWeight;
    if (last > maxWeight) {
      const steps = Array.from({ length: last / stepWeight }, (_, i) => (i + 1) * stepWeight);
      out.push(
        messageFor(
          CODES.CanaryWeightOvershoot,
          canary,
          'spec.analysis.stepWeight',
          `Steps of ${stepWeight} overshoot maxWeight ${maxWeight}: the canary gets ${steps.join(', ')}% before promotion`,
        ),
      );
    }
  } else {
    stepWeights.forEach((weight, i) => {
      const previous = stepWeights[i - 1];
      if (previous !== undefined && weight <= previous) {
        out.push(
          messageFor(
            CODES.CanaryWeightOvershoot,
            canary,
            `spec.analysis.stepWeights[${i}]`,
            `stepWeights must increase: ${weight} follows ${previous}, so traffic to the canary goes back down`,
          ),
        );
      }
    });
  }
  return out;
}

function checkMessages(canary: Canary): AnalysisMessage[] {
  const analysis = canary.spec.analysis;
  if (!analysis) return [];
  const out: AnalysisMessage[] = [];
  const invalid = (path: string, text: string) => out.push(messageFor(CODES.CanaryAnalysisInvalid, canary, path, text));
  const interval = analysis.interval === undefined ? undefined : goDurationMs(analysis.interval);
  if (interval !== undefined && interval < MIN_INTERVAL_MS) {
    invalid(
      'spec.analysis.interval',
      `interval ${analysis.interval} is below the 10s minimum: metrics have no full window to be checked over`,
    );
  }
  (analysis.metrics ?? []).forEach((metric, i) => {
    const path = `spec.analysis.metrics[${i}]`;
    const range = metric.thresholdRange;
    if (!BUILT_IN_METRICS.has(metric.name) && !metric.templateRef && !metric.query) {
      invalid(
        `${path}.name`,
        `metric ${metric.name} is not built in (request-success-rate, request-duration) and has no templateRef: it cannot be checked`,
      );
    }
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
      invalid(`${path}.thresholdRange`, `thresholdRange min ${range.min} is above max ${range.max}: no value passes, every check fails`);
    } else if (metric.name === 'request-success-rate' && range?.min !== undefined && range.min > 100) {
      invalid(`${path}.thresholdRange.min`, `a success rate is at most 100%: min ${range.min} fails every check`);
    } else if (metric.name === 'request-duration' && range?.max !== undefined && range.max <= 0) {
      invalid(`${path}.thresholdRange.max`, `a request takes more than ${range.max} ms: max ${range.max} fails every check`);
    }
  });
  return out;
}

const GO_DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's `time.ParseDuration` for the forms the schema admits (`30s`, `1m30s`, `500ms`). */
function goDurationMs(text: string): number {
  let total = 0;
  for (const [, value, unit] of text.matchAll(GO_DURATION_PART)) total += Number(value) * (UNIT_MS[unit as string] ?? 0);
  return total;
}

/** The port Flagger sends traffic to must be one the target's containers declare, when they declare any. */
function portMessages(ctx: AnalysisContext, canary: Canary): AnalysisMessage[] {
  const { targetRef, service } = canary.spec;
  if (targetRef.kind !== 'Deployment') return [];
  const deployment = ctx.get<Deployment>('Deployment', namespaceOf(canary), targetRef.name);
  const declared = (deployment?.spec.template.spec.containers ?? []).flatMap((c) => c.ports ?? []);
  if (declared.length === 0) return [];
  const target = service.targetPort ?? service.port;
  const found = declared.some((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target));
  if (found) return [];
  const listed = declared.map((p) => (p.name ? `${p.name} (${p.containerPort})` : String(p.containerPort))).join(', ');
  return [
    messageFor(
      CODES.CanaryPortNotOnTarget,
      canary,
      service.targetPort !== undefined ? 'spec.service.targetPort' : 'spec.service.port',
      `Deployment ${namespaceOf(canary)}/${targetRef.name} declares no container port ${target} (it declares ${listed}): canary traffic would find nothing listening`,
    ),
  ];
}

/** Information only: Flagger creates the Services and the HTTPRoute itself when it initialises a canary. */
function routingMessages(ctx: AnalysisContext, canary: Canary): AnalysisMessage[] {
  const namespace = namespaceOf(canary);
  const apex = canary.spec.service.name ?? canary.spec.targetRef.name;
  const names = new Set([apex, `${apex}-primary`, `${apex}-canary`]);
  const missing = [...names].filter((name) => !ctx.find('Service', namespace, name));
  const routed = ctx
    .ofKind<HttpRoute>('HTTPRoute')
    .some((route) =>
      (route.spec.rules ?? []).some((rule) =>
        (rule.backendRefs ?? []).some((ref) => names.has(ref.name) && (ref.namespace ?? namespaceOf(route)) === namespace),
      ),
    );
  if (missing.length === 0 && routed) return [];
  const parts = [
    ...(missing.length > 0 ? [`Services ${missing.map((n) => `${namespace}/${n}`).join(', ')}`] : []),
    ...(routed ? [] : [`an HTTPRoute with backends ${[...names].join(', ')}`]),
  ];
  return [
    messageFor(
      CODES.CanaryRoutingNotCreated,
      canary,
      'spec.service',
      `${parts.join(' and ')} do not exist yet; Flagger creates them when it initialises the canary, and until then there is no traffic to shift`,
    ),
  ];
}
