import { AmbitError, type Canary, type CanaryWebhookType, type Deployment, type KubeObject } from '@ambit/shared';
import type { Logger } from 'pino';
import type { Store, StoredObject } from '../store/types';
import { STORE_WRITERS } from '../store/writers';
import type { TelemetrySource } from '../telemetry/source';
import { canaryNames } from './canary-model';
import { type DeploymentFacts, decideTick, desiredRoute, type TickChecks, type TickDecision } from './decide';
import {
  httpRoute,
  podTemplateHash,
  primaryDeployment,
  primaryTemplateHashFor,
  promotedPrimary,
  scaledTarget,
  services,
} from './generated-objects';
import { checkMetrics } from './metric-checks';
import { callWebhooks, type Fetch, sendEvent } from './webhook-calls';

/**
 * Runs the rollout state machine for every Canary in the store: gathers the inputs (Deployments,
 * readiness, metrics, webhook answers), applies the decision (generated objects, route weights,
 * status), and schedules the next tick from the status' timestamps, so a restart resumes at the
 * same step with the same weight.
 */

export const ROLLOUT_CONTROLLER_AUTHOR = 'system:rollout-controller';

export interface RolloutControllerOptions {
  store: Store;
  telemetry?: TelemetrySource;
  /** Whether every replica of the Deployment's current template is up (the host knows its pods). */
  isReady: (deployment: StoredObject) => boolean;
  logger?: Logger;
  now?: () => number;
  fetch?: Fetch;
}

interface Slot {
  timer: NodeJS.Timeout | undefined;
  dueAt: number;
  running: boolean;
  again: boolean;
}

function keyString(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class RolloutController {
  private readonly slots = new Map<string, Slot>();
  private stopWatch: (() => void) | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly fetch: Fetch;

  constructor(private readonly options: RolloutControllerOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  start(): void {
    const { store } = this.options;
    for (const canary of store.list('Canary')) this.schedule(canary.metadata.namespace ?? 'default', canary.metadata.name, 0);
    this.stopWatch = store.watch(store.currentResourceVersion(), (event) => {
      const object = event.object;
      const namespace = object.metadata.namespace ?? 'default';
      if (object.kind === 'Canary') {
        if (event.type === 'DELETED') return this.forget(namespace, object.metadata.name);
        // Our own status writes need no new pass; the BFF's commands (also status) do.
        if (event.subresource === 'status' && !this.hasCommand(object)) return;
        return this.schedule(namespace, object.metadata.name, 0);
      }
      if (object.kind === 'Deployment' || object.kind === 'Pod') {
        for (const canary of store.list('Canary', namespace)) {
          if (this.concerns(canary as unknown as Canary, object)) this.schedule(namespace, canary.metadata.name, 0);
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    // Let ticks in flight finish their writes.
    while ([...this.slots.values()].some((s) => s.running)) await new Promise((r) => setTimeout(r, 20));
    this.slots.clear();
  }

  /** Runs one tick now (tests, and commands that should not wait). */
  async reconcile(namespace: string, name: string): Promise<void> {
    await this.tick(namespace, name);
  }

  private hasCommand(object: StoredObject): boolean {
    const ambit = (object.status as { ambit?: { commands?: object; approvals?: unknown[] } } | undefined)?.ambit;
    return Boolean(ambit?.commands && Object.keys(ambit.commands).length > 0) || (ambit?.approvals?.length ?? 0) > 0;
  }

  private concerns(canary: Canary, object: StoredObject): boolean {
    const names = canaryNames(canary);
    if (object.kind === 'Deployment') return object.metadata.name === names.target || object.metadata.name === names.primary;
    const owner = (object.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences?.find(
      (o) => o.kind === 'Deployment',
    );
    return owner?.name === names.target || owner?.name === names.primary;
  }

  private forget(namespace: string, name: string): void {
    const slot = this.slots.get(keyString(namespace, name));
    if (slot) clearTimeout(slot.timer);
    this.slots.delete(keyString(namespace, name));
  }

  private schedule(namespace: string, name: string, delayMs: number): void {
    if (this.stopped) return;
    const key = keyString(namespace, name);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { timer: undefined, dueAt: Number.POSITIVE_INFINITY, running: false, again: false };
      this.slots.set(key, slot);
    }
    if (slot.running) {
      if (delayMs === 0) slot.again = true;
      else if (!slot.again) this.arm(slot, namespace, name, delayMs);
      return;
    }
    this.arm(slot, namespace, name, delayMs);
  }

  private arm(slot: Slot, namespace: string, name: string, delayMs: number): void {
    const dueAt = this.now() + delayMs;
    if (slot.timer && slot.dueAt <= dueAt) return;
    clearTimeout(slot.timer);
    slot.dueAt = dueAt;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.dueAt = Number.POSITIVE_INFINITY;
      void this.tick(namespace, name);
    }, delayMs);
  }

  private async tick(namespace: string, name: string): Promise<void> {
    const key = keyString(namespace, name);
    const slot = this.slots.get(key) ?? { timer: undefined, dueAt: Number.POSITIVE_INFINITY, running: false, again: false };
    this.slots.set(key, slot);
    if (slot.running) {
      slot.again = true;
      return;
    }
    slot.running = true;
    let next: number | undefined;
    try {
      next = await this.runOnce(namespace, name);
    } catch (error) {
      this.options.logger?.error({ err: error, canary: key }, 'rollout tick failed');
      next = this.now() + 1000;
    } finally {
      slot.running = false;
    }
    if (this.stopped || !this.slots.has(key)) return;
    if (slot.again) {
      slot.again = false;
      this.schedule(namespace, name, 0);
    } else if (next !== undefined) {
      this.schedule(namespace, name, Math.max(0, next - this.now()));
    }
  }

  /** One pass for one Canary; returns when to come back. */
  private async runOnce(namespace: string, name: string): Promise<number | undefined> {
    const { store } = this.options;
    const stored = store.get({ kind: 'Canary', namespace, name });
    if (!stored) return undefined;
    const canary = stored as unknown as Canary;
    const names = canaryNames(canary);
    const target = store.get({ kind: 'Deployment', namespace, name: names.target }) as (Deployment & StoredObject) | undefined;
    const primary = store.get({ kind: 'Deployment', namespace, name: names.primary }) as (Deployment & StoredObject) | undefined;
    const now = this.now();
    const targetFacts: DeploymentFacts | undefined = target
      ? { templateHash: podTemplateHash(target), ready: this.options.isReady(target), replicas: target.spec.replicas ?? 1 }
      : undefined;
    const primaryFacts: DeploymentFacts | undefined =
      primary && target
        ? {
            // Expressed as the target template it copies, so decisions compare like with like.
            templateHash:
              podTemplateHash(primary) === primaryTemplateHashFor(canary, target) ? podTemplateHash(target) : podTemplateHash(primary),
            ready: this.options.isReady(primary),
            replicas: primary.spec.replicas ?? 1,
          }
        : undefined;
    const checks: TickChecks = {};
    let decision: TickDecision | undefined;
    for (let round = 0; round < 8 && !decision; round++) {
      const result = decideTick({ now, canary, target: targetFacts, primary: primaryFacts, checks });
      if (result.kind === 'decision') {
        decision = result;
        break;
      }
      if (result.request.metrics) checks.metrics = await checkMetrics(canary, this.options.telemetry, now);
      for (const type of result.request.webhooks) {
        checks.webhooks = { ...checks.webhooks, [type]: await callWebhooks(canary, type, this.fetch) };
      }
    }
    if (!decision) throw new Error(`rollout ${namespace}/${name}: the decision kept asking for checks`);
    // The status first, under its resourceVersion: a command recorded meanwhile makes this tick's
    // decision void before anything it implies happened. What it implies is applied after, and
    // re-derived from the status on later ticks should this process stop in between.
    if (decision.changed) {
      try {
        await store.updateStatusAsync({ kind: 'Canary', namespace, name }, decision.status, {
          resourceVersion: stored.metadata.resourceVersion,
          writer: STORE_WRITERS.rolloutController,
        });
      } catch (error) {
        if (error instanceof AmbitError && error.code === 'Conflict') return this.now();
        throw error;
      }
    }
    if (target) await this.apply(canary, target, primary, decision);
    this.after(canary, decision);
    return decision.nextTickAt;
  }

  private async apply(
    canary: Canary,
    target: Deployment & StoredObject,
    primary: (Deployment & StoredObject) | undefined,
    decision: TickDecision,
  ): Promise<void> {
    const { store } = this.options;
    const namespace = canary.metadata.namespace ?? 'default';
    const objects: KubeObject[] = [];
    for (const action of decision.actions) {
      if (action.type === 'ensure-primary') {
        objects.push(primaryDeployment(canary, target, action.replicas), ...services(canary, target));
      } else if (action.type === 'promote') {
        objects.push(promotedPrimary(canary, target, primary));
      } else if (action.type === 'scale-target') {
        if ((target.spec.replicas ?? 1) !== action.replicas) objects.push(scaledTarget(target, action.replicas));
      }
    }
    if (decision.status.phase !== undefined) {
      const route = desiredRoute(canary, decision.status);
      objects.push(httpRoute(canary, route.canaryWeight, route.abMatch));
    }
    // force: the controller owns what it generates (server-side apply, as the API docs advise controllers).
    if (objects.length > 0)
      await store.applyAsync(objects, {
        author: ROLLOUT_CONTROLLER_AUTHOR,
        writer: STORE_WRITERS.rolloutController,
        defaultNamespace: namespace,
        force: true,
      });
  }

  private after(canary: Canary, decision: TickDecision): void {
    const current = { ...canary, status: decision.status } as Canary;
    const logger = this.options.logger;
    for (const event of decision.events) {
      logger?.info({ canary: `${canary.metadata.namespace}/${canary.metadata.name}`, type: event.type }, event.message);
      void sendEvent(current, event, this.fetch).catch(() => undefined);
    }
    for (const action of decision.actions) {
      if (action.type === 'notify') void callWebhooks(current, action.webhookType as CanaryWebhookType, this.fetch).catch(() => undefined);
    }
  }
}
