/**
 * The canary wizard's form: what the user typed (strings, as inputs hold them), checked field by field,
 * and turned into the parts of a Flagger Canary the back end builds the manifest from.
 */

export interface CanaryForm {
  namespace: string;
  /** The Deployment the canary rolls a new version of (Flagger's targetRef). */
  target: string;
  /** The Service whose traffic is shifted (Flagger's spec.service.name). */
  service: string;
  port: string;
  /** New container image for the canary; empty keeps the current one. */
  image: string;
  /** Environment changes for the canary, one `NAME=value` a line. */
  env: string;
  /** Comma-separated canary weights (stepWeights), e.g. `10, 30, 50`. */
  steps: string;
  interval: string;
  threshold: string;
  /** request-success-rate thresholdRange.min, percent. */
  minSuccessRate: string;
  /** request-duration thresholdRange.max, milliseconds (p99). */
  maxP99Ms: string;
  /** Optional A/B match: requests with this header value go to the canary only. */
  matchHeader: string;
  matchValue: string;
  /** A/B runs have no steps: this many analysis rounds with the matched requests on the canary. */
  iterations: string;
}

export interface CanaryPlan {
  namespace: string;
  target: string;
  service: string;
  port: number;
  image?: string;
  env: { name: string; value: string }[];
  stepWeights: number[];
  interval: string;
  threshold: number;
  minSuccessRate: number;
  maxP99Ms: number;
  match?: { header: string; exact: string; iterations: number };
}

export type FormErrors = Partial<Record<keyof CanaryForm, string>>;

export const DEFAULT_FORM: CanaryForm = {
  namespace: '',
  target: '',
  service: '',
  port: '9080',
  image: '',
  env: '',
  steps: '10, 20, 50',
  interval: '1m',
  threshold: '2',
  minSuccessRate: '99',
  maxP99Ms: '500',
  matchHeader: '',
  matchValue: '',
  iterations: '5',
};

const MIN_METRIC_INTERVAL_MS = 30_000;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Go duration → milliseconds (`1m30s` → 90000); NaN when it is not one. */
export function durationMs(text: string): number {
  if (!GO_DURATION.test(text)) return Number.NaN;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, , suffix] of text.matchAll(/([0-9]+(\.[0-9]+)?)(ms|s|m|h)/g))
    total += Number(amount) * (unit[suffix ?? ''] ?? Number.NaN);
  return total;
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** `10, 20, 50` → [10, 20, 50]: integers 1–100, strictly rising. */
export function parseSteps(text: string): number[] | string {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return 'give at least one canary weight, e.g. 10, 20, 50';
  const steps: number[] = [];
  for (const part of parts) {
    const value = wholeNumber(part, 1, 100);
    if (value === undefined) return `"${part}" is not a whole percentage from 1 to 100`;
    if (steps.length > 0 && value <= (steps[steps.length - 1] ?? 0)) return 'each step must be higher than the one before';
    steps.push(value);
  }
  return steps;
}

/** `NAME=value` lines → env entries; blank lines are skipped. */
export function parseEnv(text: string): { name: string; value: string }[] | string {
  const entries: { name: string; value: string }[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq < 0 || !ENV_NAME.test(name)) return `line ${index + 1}: write NAME=value`;
    entries.push({ name, value: line.slice(eq + 1) });
  }
  return entries;
}

/** Every problem at once, by field, or the plan the back end turns into a Canary. */
export function checkCanaryForm(form: CanaryForm): { errors: FormErrors; plan?: CanaryPlan } {
  const errors: FormErrors = {};
  if (!DNS_LABEL.test(form.namespace)) errors.namespace = 'choose a namespace';
  if (!DNS_SUBDOMAIN.test(form.target)) errors.target = 'choose the Deployment to roll out';
  if (!DNS_LABEL.test(form.service)) errors.service = 'choose the Service whose traffic moves';
  const port = wholeNumber(form.port, 1, 65535);
  if (port === undefined) errors.port = 'a port from 1 to 65535';
  const image = form.image.trim();
  if (/\s/.test(image)) errors.image = 'an image reference has no spaces';
  const env = parseEnv(form.env);
  if (typeof env === 'string') errors.env = env;
  if (!image && Array.isArray(env) && env.length === 0) errors.image = 'give a new image, or environment changes below, for the canary';
  const steps = parseSteps(form.steps);
  if (typeof steps === 'string') errors.steps = steps;
  const interval = form.interval.trim();
  if (!(durationMs(interval) >= 1_000)) errors.interval = 'a duration of at least 1s, such as 30s or 1m';
  const threshold = wholeNumber(form.threshold, 1, 100);
  if (threshold === undefined) errors.threshold = 'failed checks before rolling back: 1 or more';
  const minSuccessRate = Number(form.minSuccessRate);
  if (form.minSuccessRate.trim() === '' || !(minSuccessRate >= 0 && minSuccessRate <= 100))
    errors.minSuccessRate = 'a percentage from 0 to 100';
  const maxP99Ms = Number(form.maxP99Ms);
  if (form.maxP99Ms.trim() === '' || !(maxP99Ms > 0)) errors.maxP99Ms = 'milliseconds, more than 0';
  const header = form.matchHeader.trim();
  const headerValue = form.matchValue.trim();
  if (header && !HEADER_NAME.test(header)) errors.matchHeader = 'a header name such as x-canary';
  if (header && !headerValue) errors.matchValue = 'the header value that selects the canary';
  if (!header && headerValue) errors.matchHeader = 'the header to match';
  const iterations = header ? wholeNumber(form.iterations, 1, 1000) : undefined;
  if (header && iterations === undefined) errors.iterations = 'analysis rounds for the A/B test: 1 or more';

  if (
    Object.keys(errors).length > 0 ||
    port === undefined ||
    threshold === undefined ||
    typeof steps === 'string' ||
    typeof env === 'string'
  ) {
    return { errors };
  }
  return {
    errors,
    plan: {
      namespace: form.namespace,
      target: form.target,
      service: form.service,
      port,
      ...(image ? { image } : {}),
      env,
      stepWeights: steps,
      interval,
      threshold,
      minSuccessRate,
      maxP99Ms,
      ...(header && iterations !== undefined ? { match: { header: header.toLowerCase(), exact: headerValue, iterations } } : {}),
    },
  };
}

/** rollouts.createPreview's input for a plan: a step canary, or an A/B test when a header match is given. */
export function wizardInput(plan: CanaryPlan) {
  const common = {
    namespace: plan.namespace,
    target: plan.target,
    service: { name: plan.service, port: plan.port },
    interval: plan.interval,
    threshold: plan.threshold,
    successRateMin: plan.minSuccessRate,
    durationMaxMs: plan.maxP99Ms,
    // The metrics look back one analysis interval, but never less than 30 s: a rate needs several scrapes, and a check
    // without data fails (Flagger's rule), which would stall a canary that only gets a tenth of little traffic.
    metricInterval: durationMs(plan.interval) >= MIN_METRIC_INTERVAL_MS ? plan.interval : '30s',
  };
  if (plan.match) {
    return {
      ...common,
      strategy: 'ab-testing' as const,
      iterations: plan.match.iterations,
      match: [{ headers: { [plan.match.header]: { exact: plan.match.exact } } }],
    };
  }
  return { ...common, strategy: 'canary' as const, stepWeights: plan.stepWeights };
}
