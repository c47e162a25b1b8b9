/**
 * The queries the console, the topology builder, the mTLS audit and the canary analysis ask of
 * telemetry. There are four shapes, each one PromQL expression (see `toPromQL`), so that the
 * embedded scraper evaluates them itself and a Prometheus back end sends them as written:
 *
 * - rate:     `sum by (<by>) (rate(<metric>{<matchers>}[<window>]))`
 * - ratio:    `(sum by (<by>) (rate(<metric>{<matchers>,<numerator>}[<window>]))
 *                or 0 * sum by (<by>) (rate(<metric>{<matchers>}[<window>])))
 *              / sum by (<by>) (rate(<metric>{<matchers>}[<window>]))`
 * - quantile: `histogram_quantile(<q>, sum by (le, <by>) (rate(<histogram>_bucket{<matchers>}[<window>])))`
 * - sum:      `sum by (<by>) (<metric>{<matchers>})` (the latest value of gauges such as `up`)
 */
import { AmbitError } from '@ambit/shared/errors';

/** PromQL label matchers: equality, inequality, and fully anchored RE2 regular expressions. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export function equal(label: string, value: string): LabelMatcher {
  return { label, op: '=', value };
}

export function notEqual(label: string, value: string): LabelMatcher {
  return { label, op: '!=', value };
}

export function matching(label: string, pattern: string): LabelMatcher {
  return { label, op: '=~', value: pattern };
}

export function notMatching(label: string, pattern: string): LabelMatcher {
  return { label, op: '!~', value: pattern };
}

interface Grouped {
  /** Labels kept in the result (`sum by (...)`); empty sums everything into one sample. */
  readonly by: readonly string[];
  readonly matchers: readonly LabelMatcher[];
}

/** `sum by (<by>) (rate(<metric>{<matchers>}[<windowSeconds>s]))`: per-second increase of a counter. */
export interface RateQuery extends Grouped {
  readonly kind: 'rate';
  readonly metric: string;
  readonly windowSeconds: number;
}

/**
 * The share of a counter's rate that also matches `numerator` (e.g. non-5xx / all), per group.
 * A group with traffic but no numerator series is 0, not missing; a group whose rate is 0 is NaN
 * (0/0), as in Prometheus: "no traffic", which callers must not read as success.
 */
export interface RatioQuery extends Grouped {
  readonly kind: 'ratio';
  readonly metric: string;
  readonly numerator: readonly LabelMatcher[];
  readonly windowSeconds: number;
}

/** `histogram_quantile(<quantile>, sum by (le, <by>) (rate(<histogram>_bucket{<matchers>}[<window>])))`. */
export interface QuantileQuery extends Grouped {
  readonly kind: 'quantile';
  /** 0…1. */
  readonly quantile: number;
  /** The histogram's base name, without `_bucket`. */
  readonly histogram: string;
  readonly windowSeconds: number;
}

/** `sum by (<by>) (<metric>{<matchers>})`: the latest value of a gauge (within 5 minutes, not stale). */
export interface SumQuery extends Grouped {
  readonly kind: 'sum';
  readonly metric: string;
}

export type TelemetryQuery = RateQuery | RatioQuery | QuantileQuery | SumQuery;

export interface QueryOptions {
  matchers?: readonly LabelMatcher[];
  by?: readonly string[];
}

export interface WindowedQueryOptions extends QueryOptions {
  windowSeconds: number;
}

export function rateQuery(metric: string, options: WindowedQueryOptions): RateQuery {
  return { kind: 'rate', metric, windowSeconds: options.windowSeconds, matchers: options.matchers ?? [], by: options.by ?? [] };
}

export function ratioQuery(metric: string, numerator: readonly LabelMatcher[], options: WindowedQueryOptions): RatioQuery {
  return { kind: 'ratio', metric, numerator, windowSeconds: options.windowSeconds, matchers: options.matchers ?? [], by: options.by ?? [] };
}

export function quantileQuery(quantile: number, histogram: string, options: WindowedQueryOptions): QuantileQuery {
  return {
    kind: 'quantile',
    quantile,
    histogram,
    windowSeconds: options.windowSeconds,
    matchers: options.matchers ?? [],
    by: options.by ?? [],
  };
}

export function sumQuery(metric: string, options: QueryOptions = {}): SumQuery {
  return { kind: 'sum', metric, matchers: options.matchers ?? [], by: options.by ?? [] };
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws an InvalidArgument AmbitError naming the field of the first problem in `query`. */
export function validateQuery(query: TelemetryQuery): void {
  const problems: { path: string; message: string }[] = [];
  const name = query.kind === 'quantile' ? query.histogram : query.metric;
  if (!METRIC_NAME.test(name))
    problems.push({ path: query.kind === 'quantile' ? 'histogram' : 'metric', message: `"${name}" is not a metric name` });
  if (query.kind !== 'sum' && !(Number.isFinite(query.windowSeconds) && query.windowSeconds > 0)) {
    problems.push({ path: 'windowSeconds', message: `the window must be a positive number of seconds, not ${query.windowSeconds}` });
  }
  if (query.kind === 'quantile' && !(query.quantile >= 0 && query.quantile <= 1)) {
    problems.push({ path: 'quantile', message: `the quantile must be between 0 and 1, not ${query.quantile}` });
  }
  query.by.forEach((label, i) => {
    if (!LABEL_NAME.test(label)) problems.push({ path: `by[${i}]`, message: `"${label}" is not a label name` });
    else if (query.kind === 'quantile' && label === 'le') problems.push({ path: `by[${i}]`, message: '"le" is grouped by already' });
  });
  const checkMatchers = (matchers: readonly LabelMatcher[], field: string) => {
    matchers.forEach((m, i) => {
      if (!LABEL_NAME.test(m.label)) problems.push({ path: `${field}[${i}].label`, message: `"${m.label}" is not a label name` });
      if (m.op === '=~' || m.op === '!~') {
        try {
          new RegExp(m.value);
        } catch (error) {
          problems.push({ path: `${field}[${i}].value`, message: `not a regular expression: ${(error as Error).message}` });
        }
      }
    });
  };
  checkMatchers(query.matchers, 'matchers');
  if (query.kind === 'ratio') checkMatchers(query.numerator, 'numerator');
  const first = problems[0];
  if (first) throw new AmbitError('InvalidArgument', `invalid telemetry query: ${first.path}: ${first.message}`, problems);
}
