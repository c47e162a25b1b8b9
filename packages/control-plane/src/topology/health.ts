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

/** Request rates by protocol and response code (gRPC status for gRPC). */
export class ResponseTally {
  readonly byProtocol = new Map<string, Map<string, number>>();

  add(protocol: string, code: string, rate: number): void {
    let codes = this.byProtocol.get(protocol);
    if (!codes) {
      codes = new Map();
      this.byProtocol.set(protocol, codes);
    }
    codes.set(code, (codes.get(code) ?? 0) + rate);
  }

  addAll(other: ResponseTally): void {
    for (const protocol of other.byProtocol.keys()) {
      const codes = other.byProtocol.get(protocol) as Map<string, number>;
      for (const code of codes.keys()) this.add(protocol, code, codes.get(code) as number);
    }
  }
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
    return this.rules.find((r) => r.namespace.test(namespace) && r.kind.test(kind) && r.name.test(name));
  }

  /** Health of the traffic in `tally` for the node (namespace, kind, name) seen in `direction`; `na` without requests. */
  evaluate(tally: ResponseTally, direction: TrafficDirection, namespace: string, kind: HealthKind, name: string): HealthVerdict {
    const verdict: HealthVerdict = { health: 'na', reasons: NO_REASONS };
    const rule = this.ruleFor(namespace, kind, name);
    for (const protocol of tally.byProtocol.keys()) {
      const codes = tally.byProtocol.get(protocol) as Map<string, number>;
      let total = 0;
      for (const rate of codes.values()) total += rate;
      if (!(total > 0)) continue;
      verdict.health = worse(verdict.health, 'healthy');
      for (const t of rule?.tolerance ?? []) {
        if (!t.protocol.test(protocol) || !t.direction.test(direction)) continue;
        let errors = 0;
        for (const code of codes.keys()) if (t.code.test(code)) errors += codes.get(code) as number;
        const percent = (100 * errors) / total;
        if (!(percent > 0)) continue;
        const status: Health = percent >= t.failure ? 'failure' : percent >= t.degraded ? 'degraded' : 'healthy';
        if (status === 'healthy') continue;
        verdict.health = worse(verdict.health, status);
        if (verdict.reasons === NO_REASONS) verdict.reasons = [];
        verdict.reasons.push(`${direction} ${t.label}: ${percent.toFixed(2)}% >= ${status === 'failure' ? t.failure : t.degraded}%`);
      }
    }
    return verdict;
  }
}
