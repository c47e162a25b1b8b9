/**
 * Traffic health the way Kiali computes it (kiali.io/docs/configuration/health): rules select
 * nodes by namespace, kind and name (unanchored regular expressions, first match wins), and each
 * rule's tolerances give, per protocol and response-code pattern, the error percentages at which
 * a node or edge is Degraded and Failure. A ratio above 0 that reaches `degraded` is Degraded; one
 * that reaches `failure` is Failure. Kiali's defaults: HTTP 5xx degraded at any error, failure at
 * 10 %; HTTP 4xx 10 % / 20 %; gRPC statuses 1–16 any / 10 %. Users' rules go before the defaults.
 */

export type Health = 'healthy' | 'degraded' | 'failure' | 'na';

export type HealthKind = 'app' | 'workload' | 'service';
export type TrafficDirection = 'inbound' | 'outbound';

export interface Tolerance {
  /** Regular expression over the response code (HTTP status, or gRPC status for gRPC). */
  code: string;
  /** Regular expression over `inbound` / `outbound`. */
  direction: string;
  /** Regular expression over `http` / `grpc`. */
  protocol: string;
  /** Error percentage (0–100) from which the status is Degraded. */
  degraded: number;
  /** Error percentage (0–100) from which the status is Failure. */
  failure: number;
}

export interface HealthRateRule {
  namespace: string;
  kind: string;
  name: string;
  tolerance: readonly Tolerance[];
}

export interface HealthConfig {
  rate: readonly HealthRateRule[];
}

export const KIALI_DEFAULT_HEALTH: HealthConfig = {
  rate: [
    {
      namespace: '.*',
      kind: '.*',
      name: '.*',
      tolerance: [
        { code: '^5\\d\\d$', direction: '.*', protocol: 'http', degraded: 0, failure: 10 },
        { code: '^4\\d\\d$', direction: '.*', protocol: 'http', degraded: 10, failure: 20 },
        { code: '^[1-9]$|^1[0-6]$', direction: '.*', protocol: 'grpc', degraded: 0, failure: 10 },
      ],
    },
  ],
};

/** One protocol and response code's requests per second: an entry of a tally's list. */
export interface TallyEntry {
  readonly protocol: string;
  readonly code: string;
  rate: number;
  next: TallyEntry | undefined;
}

/**
 * Request rates by protocol and response code (gRPC status for gRPC), in the order first seen. An edge sees a few
 * codes: a short list costs less to make and to walk than a map per protocol, for thousands of edges and nodes.
 */
export class ResponseTally {
  first: TallyEntry | undefined;
  private last: TallyEntry | undefined;

  add(protocol: string, code: string, rate: number): void {
    for (let e = this.first; e !== undefined; e = e.next) {
      if (e.code === code && e.protocol === protocol) {
        e.rate += rate;
        return;
      }
    }
    const entry: TallyEntry = { protocol, code, rate, next: undefined };
    if (this.last) this.last.next = entry;
    else this.first = entry;
    this.last = entry;
  }

  addAll(other: ResponseTally): void {
    for (let e = other.first; e !== undefined; e = e.next) this.add(e.protocol, e.code, e.rate);
  }
}

/** Whether `entry` is the first of its protocol in the list (each protocol is judged once, in the order first seen). */
function firstOfProtocol(tally: ResponseTally, entry: TallyEntry): boolean {
  for (let e = tally.first; e !== entry && e !== undefined; e = e.next) if (e.protocol === entry.protocol) return false;
  return true;
}

interface CompiledTolerance {
  code: RegExp;
  direction: RegExp;
  protocol: RegExp;
  degraded: number;
  failure: number;
  label: string;
}

interface CompiledRule {
  namespace: RegExp;
  kind: RegExp;
  name: RegExp;
  tolerance: CompiledTolerance[];
}

export interface HealthVerdict {
  health: Health;
  /** What made it so, e.g. `inbound http ^5\d\d$: 12.50% >= 10%`. */
  reasons: string[];
}

/** Shared by every verdict without reasons (most of them): frozen, replaced before the first push. */
const NO_REASONS = Object.freeze([]) as unknown as string[];

const ORDER: Record<Health, number> = { na: 0, healthy: 1, degraded: 2, failure: 3 };

export function worse(a: Health, b: Health): Health {
  return ORDER[b] > ORDER[a] ? b : a;
}

/** Health rules compiled once per graph; `evaluate` runs per node and edge. */
export class HealthRules {
  private readonly rules: CompiledRule[];

  constructor(custom: HealthConfig | undefined) {
    this.rules = [...(custom?.rate ?? []), ...KIALI_DEFAULT_HEALTH.rate].map((rule) => ({
      namespace: new RegExp(rule.namespace),
      kind: new RegExp(rule.kind),
      name: new RegExp(rule.name),
      tolerance: rule.tolerance.map((t) => ({
        code: new RegExp(t.code),
        direction: new RegExp(t.direction),
        protocol: new RegExp(t.protocol),
        degraded: t.degraded,
        failure: t.failure,
        label: `${t.protocol} ${t.code}`,
      })),
    }));
  }

  private ruleFor(namespace: string, kind: HealthKind, name: string): CompiledRule | undefined {
    for (const r of this.rules) if (r.namespace.test(namespace) && r.kind.test(kind) && r.name.test(name)) return r;
    return undefined;
  }

  /** Health of the traffic in `tally` for the node (namespace, kind, name) seen in `direction`; `na` without requests. */
  evaluate(tally: ResponseTally, direction: TrafficDirection, namespace: string, kind: HealthKind, name: string): HealthVerdict {
    const verdict: HealthVerdict = { health: 'na', reasons: NO_REASONS };
    verdict.health = this.judge(tally, direction, namespace, kind, name, verdict);
    return verdict;
  }

  /** `evaluate`'s health alone, without the reasons' text (what the canvas's view shows). */
  health(tally: ResponseTally, direction: TrafficDirection, namespace: string, kind: HealthKind, name: string): Health {
    return this.judge(tally, direction, namespace, kind, name, undefined);
  }

  /** The health, and into `explained` (when given) why. */
  private judge(
    tally: ResponseTally,
    direction: TrafficDirection,
    namespace: string,
    kind: HealthKind,
    name: string,
    explained: HealthVerdict | undefined,
  ): Health {
    let health: Health = 'na';
    if (tally.first === undefined) return health;
    const rule = this.ruleFor(namespace, kind, name);
    for (let head: TallyEntry | undefined = tally.first; head !== undefined; head = head.next) {
      if (!firstOfProtocol(tally, head)) continue;
      const protocol = head.protocol;
      let total = 0;
      for (let e: TallyEntry | undefined = head; e !== undefined; e = e.next) if (e.protocol === protocol) total += e.rate;
      if (!(total > 0)) continue;
      health = worse(health, 'healthy');
      if (!rule) continue;
      for (const t of rule.tolerance) {
        if (!t.protocol.test(protocol) || !t.direction.test(direction)) continue;
        let errors = 0;
        for (let e: TallyEntry | undefined = head; e !== undefined; e = e.next) {
          if (e.protocol === protocol && t.code.test(e.code)) errors += e.rate;
        }
        const percent = (100 * errors) / total;
        if (!(percent > 0)) continue;
        const status: Health = percent >= t.failure ? 'failure' : percent >= t.degraded ? 'degraded' : 'healthy';
        if (status === 'healthy') continue;
        health = worse(health, status);
        if (!explained) continue;
        const reason = `${direction} ${t.label}: ${percent.toFixed(2)}% >= ${status === 'failure' ? t.failure : t.degraded}%`;
        if (explained.reasons === NO_REASONS) explained.reasons = [reason];
        else explained.reasons.push(reason);
      }
    }
    return health;
  }
}
