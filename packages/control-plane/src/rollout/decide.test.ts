import type { Canary, CanaryWebhookType } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { AMBIT_GATE_URL, plannedSteps } from './canary-model';
import { type DeploymentFacts, decideTick, desiredRoute, type TickDecision } from './decide';
import type { RolloutCheck, RolloutStatus } from './rollout-status';

const T0 = Date.parse('2026-11-27T00:00:00Z');
const INTERVAL = 10_000;

function canaryOf(analysis: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'echo', namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'echo' },
      service: { port: 8080 },
      analysis: {
        interval: '10s',
        threshold: 2,
        maxWeight: 30,
        stepWeight: 10,
        metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '30s' }],
        ...analysis,
      },
      ...spec,
    },
  } as Canary;
}

const passing: RolloutCheck = { name: 'request-success-rate', kind: 'metric', value: 100, min: 99, passed: true, message: 'ok' };
const failing: RolloutCheck = {
  name: 'request-success-rate',
  kind: 'metric',
  value: 80,
  min: 99,
  passed: false,
  message: 'request-success-rate 80% < 99%',
};
const noData: RolloutCheck = {
  name: 'request-success-rate',
  kind: 'metric',
  value: null,
  min: 99,
  passed: false,
  message: 'no values found',
};

interface World {
  canary: Canary;
  now: number;
  target: DeploymentFacts | undefined;
  primary: DeploymentFacts | undefined;
  metrics: RolloutCheck[];
  webhooks: Partial<Record<CanaryWebhookType, boolean>>;
  asked: { metrics: number; webhooks: CanaryWebhookType[] };
}

function world(canary: Canary): World {
  return {
    canary,
    now: T0,
    target: { templateHash: 'v1', ready: true, replicas: 2 },
    primary: undefined,
    metrics: [passing],
    webhooks: {},
    asked: { metrics: 0, webhooks: [] },
  };
}

/** One tick: answers the decision's requests for checks from the world, keeps the new status. */
function tick(w: World): TickDecision {
  const checks: { metrics?: RolloutCheck[]; webhooks?: Partial<Record<CanaryWebhookType, RolloutCheck[]>> } = {};
  for (let i = 0; i < 8; i++) {
    const result = decideTick({ now: w.now, canary: w.canary, target: w.target, primary: w.primary, checks });
    if (result.kind === 'decision') {
      w.canary = { ...w.canary, status: result.status } as Canary;
      return result;
    }
    if (result.request.metrics) {
      w.asked.metrics++;
      checks.metrics = w.metrics;
    }
    for (const type of result.request.webhooks) {
      w.asked.webhooks.push(type);
      const hooks = (w.canary.spec.analysis?.webhooks ?? []).filter((h) => (h.type ?? 'rollout') === type && h.url !== AMBIT_GATE_URL);
      checks.webhooks = {
        ...checks.webhooks,
        [type]: hooks.map((h) => ({
          name: h.name,
          kind: 'webhook',
          value: null,
          passed: w.webhooks[type] ?? true,
          message: `${type} ${h.name}`,
        })),
      };
    }
  }
  throw new Error('decision never came');
}

function status(w: World): RolloutStatus {
  return w.canary.status as RolloutStatus;
}

/** Initializes (primary ready at once) and returns the world at phase Initialized. */
function initialized(canary: Canary): World {
  const w = world(canary);
  const first = tick(w);
  expect(first.actions).toContainEqual({ type: 'ensure-primary', replicas: 2 });
  expect(status(w).phase).toBe('Initializing');
  w.primary = { templateHash: 'v1', ready: true, replicas: 2 };
  w.now += 1000;
  const second = tick(w);
  expect(second.actions).toContainEqual({ type: 'scale-target', replicas: 0 });
  expect(status(w)).toMatchObject({ phase: 'Initialized', canaryWeight: 0, lastAppliedSpec: 'v1', lastPromotedSpec: 'v1' });
  return w;
}

/** A new revision of the target, detected: phase Progressing at weight 0. */
function newRevision(w: World, hash = 'v2'): TickDecision {
  w.target = { templateHash: hash, ready: true, replicas: 0 };
  w.now += 1000;
  return tick(w);
}

function later(w: World, ms = INTERVAL): TickDecision {
  w.now += ms;
  return tick(w);
}

describe('rollout decisions (Flagger state machine)', () => {
  it('initializes: waits for the primary, then scales the target to zero and records the revision', () => {
    const w = world(canaryOf());
    tick(w);
    expect(status(w).phase).toBe('Initializing');
    expect(status(w).ambit?.replicas).toBe(2);
    w.primary = { templateHash: 'v1', ready: false, replicas: 2 };
    const waiting = later(w, 1000);
    expect(status(w).phase).toBe('Initializing');
    expect(waiting.nextTickAt).toBe(w.now + 1000);
    w.primary.ready = true;
    later(w, 1000);
    expect(status(w).phase).toBe('Initialized');
    expect(status(w).ambit?.events?.at(-1)?.message).toBe('Initialization done! echo.shop');
  });

  it('a new revision starts a run: scales the canary up, Progressing at weight 0, history reset', () => {
    const w = initialized(canaryOf());
    const d = newRevision(w);
    expect(d.actions).toContainEqual({ type: 'scale-target', replicas: 2 });
    expect(status(w)).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: 'v2' });
    expect(status(w).ambit?.events?.at(-1)?.message).toBe('New revision detected! Scaling up echo.shop');
  });

  it('a healthy run steps 10, 20, 30 one interval apart, then promotes, routes all to primary, finalises', () => {
    const w = initialized(canaryOf());
    newRevision(w);
    // Not due yet: nothing moves before one interval has passed.
    expect(later(w, 5000).changed).toBe(false);
    later(w, 5000);
    expect(status(w).canaryWeight).toBe(10);
    later(w);
    expect(status(w).canaryWeight).toBe(20);
    later(w);
    expect(status(w).canaryWeight).toBe(30);
    const promote = later(w);
    expect(promote.actions).toContainEqual({ type: 'promote' });
    expect(status(w)).toMatchObject({ phase: 'Promoting', canaryWeight: 30 });
    // The primary rolls out the new template; until it is ready the weights stay.
    w.primary = { templateHash: 'v2', ready: false, replicas: 2 };
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Promoting', canaryWeight: 30 });
    w.primary.ready = true;
    later(w, 1000);
    expect(status(w)).toMatchObject({ phase: 'Finalising', canaryWeight: 0 });
    const done = later(w);
    expect(done.actions).toContainEqual({ type: 'scale-target', replicas: 0 });
    expect(done.actions).toContainEqual({ type: 'notify', webhookType: 'post-rollout' });
    expect(status(w)).toMatchObject({ phase: 'Succeeded', canaryWeight: 0, lastPromotedSpec: 'v2' });
    expect(status(w).conditions?.[0]).toMatchObject({ type: 'Promoted', status: 'True', reason: 'Succeeded' });
    expect(status(w).ambit?.history?.map((h) => h.canaryWeight)).toEqual([0, 10, 20, 30, 30, 0, 0]);
  });

  it('plans linear steps with Flagger overshoot, and stepWeights when stepWeight is 0', () => {
    expect(plannedSteps(canaryOf({ maxWeight: 50, stepWeight: 20 }))).toEqual([20, 40, 60]);
    expect(plannedSteps(canaryOf({ stepWeight: 0, stepWeights: [1, 5, 25, 50], maxWeight: undefined }))).toEqual([1, 5, 25, 50]);
    expect(plannedSteps(canaryOf({ stepWeight: undefined, maxWeight: undefined, stepWeights: [10, 80] }))).toEqual([10, 80]);
  });

  it('walks stepWeights and promotes after the last one', () => {
    const w = initialized(canaryOf({ stepWeight: undefined, maxWeight: undefined, stepWeights: [5, 25, 60] }));
    newRevision(w);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      later(w);
      seen.push(status(w).canaryWeight ?? -1);
    }
    expect(seen).toEqual([5, 25, 60]);
    later(w);
    expect(status(w).phase).toBe('Promoting');
  });

  it('counts failed checks; rolls back in the tick that reaches the threshold: weight 0, Failed, canary drained one interval later', () => {
    const w = initialized(canaryOf());
    newRevision(w);
    later(w);
    later(w);
    expect(status(w).canaryWeight).toBe(20);
    w.metrics = [failing];
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Progressing', canaryWeight: 20, failedChecks: 1 });
    expect(status(w).ambit?.events?.at(-1)?.message).toBe('Halt echo.shop advancement request-success-rate 80% < 99%');
    const rolledBack = later(w);
    expect(status(w)).toMatchObject({ phase: 'Failed', canaryWeight: 0, failedChecks: 2 });
    expect(desiredRoute(w.canary, status(w))).toEqual({ canaryWeight: 0, abMatch: false });
    expect(rolledBack.actions).not.toContainEqual({ type: 'scale-target', replicas: 0 });
    expect(rolledBack.actions).toContainEqual({ type: 'notify', webhookType: 'post-rollout' });
    expect(status(w).conditions?.[0]).toMatchObject({ status: 'False', reason: 'Failed' });
    // One interval later the canary, with no traffic left, is scaled down.
    const drained = later(w);
    expect(drained.actions).toContainEqual({ type: 'scale-target', replicas: 0 });
    expect(later(w).changed).toBe(false);
  });

  it('no data is a failed check', () => {
    const w = initialized(canaryOf({ threshold: 1 }));
    newRevision(w);
    later(w);
    w.metrics = [noData];
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Failed', failedChecks: 1 });
  });

  it('failed checks accumulate over the run (passing checks in between do not reset them)', () => {
    const w = initialized(canaryOf({ threshold: 2, maxWeight: 50 }));
    newRevision(w);
    later(w);
    w.metrics = [failing];
    later(w);
    w.metrics = [passing];
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Progressing', failedChecks: 1, canaryWeight: 20 });
    w.metrics = [failing];
    later(w);
    expect(status(w).phase).toBe('Failed');
  });

  it('the first step asks no metrics (no traffic yet): it runs pre-rollout webhooks, and their failure counts', () => {
    const w = initialized(canaryOf({ webhooks: [{ name: 'smoke', type: 'pre-rollout', url: 'http://tester/' }], threshold: 3 }));
    newRevision(w);
    w.webhooks['pre-rollout'] = false;
    later(w);
    expect(w.asked.metrics).toBe(0);
    expect(status(w)).toMatchObject({ canaryWeight: 0, failedChecks: 1 });
    w.webhooks['pre-rollout'] = true;
    later(w);
    expect(status(w).canaryWeight).toBe(10);
  });

  it('rollout webhooks without a type are checks too', () => {
    const w = initialized(canaryOf({ webhooks: [{ name: 'load-test', url: 'http://tester/' }], threshold: 1 }));
    newRevision(w);
    later(w);
    w.webhooks.rollout = false;
    later(w);
    expect(status(w).phase).toBe('Failed');
  });

  it('a confirm-rollout gate holds the run in Waiting until it answers 2xx', () => {
    const w = initialized(canaryOf({ webhooks: [{ name: 'gate', type: 'confirm-rollout', url: 'http://tester/gate/check' }] }));
    newRevision(w);
    w.webhooks['confirm-rollout'] = false;
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Waiting', canaryWeight: 0 });
    expect(status(w).ambit?.gate).toMatchObject({ type: 'confirm-rollout', webhook: 'gate', builtIn: false });
    later(w);
    expect(status(w).phase).toBe('Waiting');
    w.webhooks['confirm-rollout'] = true;
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Progressing', canaryWeight: 10 });
    expect(status(w).ambit?.gate).toBeUndefined();
  });

  it('a confirm-promotion gate on Ambit’s built-in URL holds in WaitingPromotion until approved; analysis keeps running meanwhile', () => {
    const w = initialized(canaryOf({ maxWeight: 10, webhooks: [{ name: 'approve', type: 'confirm-promotion', url: AMBIT_GATE_URL }] }));
    newRevision(w);
    later(w);
    expect(status(w).canaryWeight).toBe(10);
    later(w);
    expect(status(w)).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 10 });
    expect(status(w).ambit?.gate).toMatchObject({ type: 'confirm-promotion', builtIn: true });
    expect(w.asked.webhooks).not.toContain('confirm-promotion');
    const before = w.asked.metrics;
    later(w);
    expect(status(w).phase).toBe('WaitingPromotion');
    expect(w.asked.metrics).toBe(before + 1);
    // Approved (rollouts.approve): the next tick, even before the interval, promotes.
    w.canary = {
      ...w.canary,
      status: { ...status(w), ambit: { ...status(w).ambit, approvals: [{ gate: 'confirm-promotion', by: 'alice', at: 'x' }] } },
    } as Canary;
    const promoted = later(w, 100);
    expect(promoted.actions).toContainEqual({ type: 'promote' });
    expect(status(w).phase).toBe('Promoting');
  });

  it('a promote request at a closed confirm-promotion gate is held, not retried on every tick', () => {
    const w = initialized(canaryOf({ maxWeight: 50, webhooks: [{ name: 'approve', type: 'confirm-promotion', url: AMBIT_GATE_URL }] }));
    newRevision(w);
    later(w);
    expect(status(w).canaryWeight).toBe(10);
    w.canary = {
      ...w.canary,
      status: { ...status(w), ambit: { ...status(w).ambit, commands: { promote: { by: 'alice', at: 'x' } } } },
    } as Canary;
    const held = later(w, 100);
    expect(held.actions).not.toContainEqual({ type: 'promote' });
    expect(status(w)).toMatchObject({ phase: 'WaitingPromotion' });
    expect(status(w).ambit?.commands?.promote?.heldAt).toBeDefined();
    // The controller wakes on its own status write: that tick waits for the interval and changes nothing.
    const metrics = w.asked.metrics;
    const again = later(w, 100);
    expect(again.changed).toBe(false);
    expect(w.asked.metrics).toBe(metrics);
    expect(again.nextTickAt).toBeGreaterThan(w.now);
    // Approved: promoted at once.
    w.canary = {
      ...w.canary,
      status: { ...status(w), ambit: { ...status(w).ambit, approvals: [{ gate: 'confirm-promotion', by: 'bob', at: 'y' }] } },
    } as Canary;
    expect(later(w, 100).actions).toContainEqual({ type: 'promote' });
  });

  it('a confirm-traffic-increase approval opens one step only', () => {
    const w = initialized(canaryOf({ webhooks: [{ name: 'step', type: 'confirm-traffic-increase', url: AMBIT_GATE_URL }] }));
    newRevision(w);
    later(w);
    expect(status(w)).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(status(w).ambit?.gate?.type).toBe('confirm-traffic-increase');
    w.canary = {
      ...w.canary,
      status: { ...status(w), ambit: { ...status(w).ambit, approvals: [{ gate: 'confirm-traffic-increase', by: 'bob', at: 'x' }] } },
    } as Canary;
    later(w, 100);
    expect(status(w).canaryWeight).toBe(10);
    later(w);
    expect(status(w).canaryWeight).toBe(10);
    expect(status(w).ambit?.gate?.type).toBe('confirm-traffic-increase');
  });

  it('A/B testing: iterations with match rules on the route, then promotion', () => {
    const w = initialized(
      canaryOf({ stepWeight: undefined, maxWeight: undefined, iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] }),
    );
    newRevision(w);
    expect(desiredRoute(w.canary, status(w))).toEqual({ canaryWeight: 0, abMatch: false });
    later(w);
    expect(status(w)).toMatchObject({ iterations: 1, canaryWeight: 0 });
    expect(desiredRoute(w.canary, status(w))).toEqual({ canaryWeight: 0, abMatch: true });
    later(w);
    expect(status(w).iterations).toBe(2);
    later(w);
    expect(status(w).phase).toBe('Promoting');
    expect(status(w).ambit?.events?.map((e) => e.message)).toContain('Advance echo.shop canary iteration 2/2');
  });

  it('progress deadline: a canary that never becomes ready is rolled back', () => {
    const w = initialized(canaryOf({}, { progressDeadlineSeconds: 30 }));
    newRevision(w);
    w.target = { templateHash: 'v2', ready: false, replicas: 2 };
    later(w);
    expect(status(w).phase).toBe('Progressing');
    w.now += 25_000;
    tick(w);
    expect(status(w).phase).toBe('Failed');
    expect(status(w).ambit?.events?.some((e) => e.message.includes('progress deadline exceeded'))).toBe(true);
  });

  it('suspend freezes everything: no step, no status change; resuming continues at the same weight', () => {
    const w = initialized(canaryOf());
    newRevision(w);
    later(w);
    expect(status(w).canaryWeight).toBe(10);
    const spec = w.canary.spec;
    w.canary = { ...w.canary, spec: { ...spec, suspend: true } };
    expect(later(w).changed).toBe(false);
    expect(later(w).changed).toBe(false);
    w.canary = { ...w.canary, spec: { ...spec, suspend: false } };
    later(w);
    expect(status(w).canaryWeight).toBe(20);
  });

  it('skipAnalysis promotes without steps or metrics', () => {
    const w = initialized(canaryOf({}, { skipAnalysis: true }));
    newRevision(w);
    const d = later(w);
    expect(d.actions).toContainEqual({ type: 'promote' });
    expect(w.asked.metrics).toBe(0);
    expect(status(w)).toMatchObject({ phase: 'Promoting', canaryWeight: 0 });
  });

  it('stepWeightPromotion moves traffic back to the primary step by step', () => {
    const w = initialized(canaryOf({ maxWeight: 40, stepWeight: 20, stepWeightPromotion: 15 }));
    newRevision(w);
    later(w);
    later(w);
    expect(status(w).canaryWeight).toBe(40);
    later(w);
    expect(status(w).phase).toBe('Promoting');
    w.primary = { templateHash: 'v2', ready: true, replicas: 2 };
    const weights: number[] = [];
    for (let i = 0; i < 3; i++) {
      later(w);
      weights.push(status(w).canaryWeight ?? -1);
    }
    expect(weights).toEqual([25, 10, 0]);
    expect(status(w).phase).toBe('Finalising');
  });

  it('a change to the target mid-run restarts the analysis at weight 0', () => {
    const w = initialized(canaryOf());
    newRevision(w);
    later(w);
    later(w);
    expect(status(w).canaryWeight).toBe(20);
    w.target = { templateHash: 'v3', ready: true, replicas: 2 };
    later(w, 100);
    expect(status(w)).toMatchObject({ phase: 'Progressing', canaryWeight: 0, lastAppliedSpec: 'v3' });
    expect(status(w).ambit?.events?.at(-1)?.message).toBe('New revision detected! Restarting analysis for echo.shop');
  });

  it('operator commands: abort rolls back, retry restarts a failed run, promote skips the remaining steps', () => {
    const withCommand = (w: World, commands: object) => {
      w.canary = { ...w.canary, status: { ...status(w), ambit: { ...status(w).ambit, commands } } } as Canary;
    };
    const w = initialized(canaryOf({ maxWeight: 50 }));
    newRevision(w);
    later(w);
    withCommand(w, { promote: { by: 'alice', at: 'x' } });
    later(w, 100);
    expect(status(w).phase).toBe('Promoting');

    const a = initialized(canaryOf());
    newRevision(a);
    later(a);
    withCommand(a, { abort: { by: 'bob', at: 'x' } });
    later(a, 100);
    expect(status(a)).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    withCommand(a, { retry: { by: 'bob', at: 'x' } });
    later(a, 100);
    expect(status(a)).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0 });
    expect(status(a).ambit?.commands).toBeUndefined();
  });

  it('a rollback webhook that answers 2xx rolls the run back', () => {
    const w = initialized(canaryOf({ webhooks: [{ name: 'kill', type: 'rollback', url: 'http://tester/rb' }] }));
    newRevision(w);
    w.webhooks.rollback = false;
    later(w);
    expect(status(w).canaryWeight).toBe(10);
    w.webhooks.rollback = true;
    later(w);
    expect(status(w).phase).toBe('Failed');
  });

  it('resumes from a stored status at the same weight: the next step waits for the interval since the last tick', () => {
    const w = initialized(canaryOf());
    newRevision(w);
    later(w);
    later(w);
    // A restart: the same status, read again 4 s after the last tick.
    const stored = structuredClone(w.canary);
    const resumed = world(stored);
    resumed.now = w.now + 4000;
    resumed.primary = { templateHash: 'v2', ready: true, replicas: 2 };
    resumed.target = { templateHash: 'v2', ready: true, replicas: 2 };
    const d = tick(resumed);
    expect(d.changed).toBe(false);
    expect(d.nextTickAt).toBe(w.now + INTERVAL);
    expect(desiredRoute(resumed.canary, status(resumed)).canaryWeight).toBe(20);
    resumed.now = w.now + INTERVAL;
    tick(resumed);
    expect(status(resumed).canaryWeight).toBe(30);
  });
});
