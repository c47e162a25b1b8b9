/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it, so
 * that of several control-plane replicas one runs the controllers (rollouts, waypoint
 * deployments, status writers) while all of them serve xDS and the API.
 *
 * A candidate takes the Lease when it is free (no holder) or when its holder has not renewed it
 * for leaseDurationSeconds — measured on this candidate's clock from when it last saw the record
 * change, never by comparing clocks across machines. Every update is a PUT with the Lease's
 * resourceVersion, so of two candidates racing for the same Lease exactly one wins (the other
 * gets 409 Conflict). The leader renews every retryPeriod and steps down if it cannot renew
 * within renewDeadline; on stop it releases the Lease (empty holder) so another takes over at once.
 */
import { AmbitError } from '@ambit/shared/errors';
import type { Logger } from 'pino';
import { apiResource, createPath, objectPath } from './api-resources';
import type { KubeApi } from './kube-api';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

export interface LeaderElectionOptions {
  api: KubeApi;
  namespace: string;
  /** Lease name; default `ambit-control-plane`. */
  name?: string;
  /** This replica's identity, unique among candidates (e.g. the pod name). */
  identity: string;
  /** Default 15 s (client-go's default). */
  leaseDurationSeconds?: number;
  /** Default 10,000 ms. Must be less than the lease duration. */
  renewDeadlineMs?: number;
  /** Default 2,000 ms. */
  retryPeriodMs?: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to this replica). */
  onNewLeader?: (identity: string) => void;
  now?: () => number;
  logger?: Logger;
}

/** `metav1.MicroTime` text: `2006-01-02T15:04:05.000000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;
  private observedRecord = '';
  private observedAt = 0;
  private lastRenewed = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Set by stop(): a round still in flight when it was called must not change who leads. */
  private stopped = false;
  private round: Promise<boolean> | undefined;
  private leader = '';
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.name = options.name ?? 'ambit-control-plane';
    this.leaseDurationMs = (options.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.now = options.now ?? Date.now;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new AmbitError('InvalidArgument', 'leader election: the renew deadline must be shorter than the lease duration');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The identity holding the Lease as last observed ('' when none). */
  currentLeader(): string {
    return this.leader;
  }

  /** Starts trying to acquire, then renewing; runs until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    const tick = async () => {
      if (!this.running) return;
      this.round = this.attempt();
      await this.round;
      if (this.running) {
        this.timer = setTimeout(tick, this.retryPeriodMs);
        this.timer.unref();
      }
    };
    void tick();
  }

  /** Stops; a leader releases the Lease so that another replica takes over without waiting for it to expire. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    if (this.leading && options.release !== false) {
      try {
        const lease = await this.read();
        if (lease && lease.spec.holderIdentity === this.options.identity) {
          await this.write({
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
          });
        }
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'could not release the leader lease; it expires on its own');
      }
    }
    this.setLeading(false);
  }

  /** One round of tryAcquireOrRenew; true when this replica holds the Lease afterwards. */
  async attempt(): Promise<boolean> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'leader election round failed');
    }
    if (this.stopped) return false;
    const now = this.now();
    if (ok) this.lastRenewed = now;
    else if (this.leading && now - this.lastRenewed >= this.renewDeadlineMs) {
      this.options.logger?.warn({ lease: this.name }, 'could not renew the leader lease in time; stepping down');
      this.setLeading(false);
    }
    if (ok) this.setLeading(true);
    return ok;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const identity = this.options.identity;
    const fresh: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    const lease = await this.read();
    if (!lease) {
      const created = await this.create(fresh);
      if (created) this.observe(created);
      return created !== undefined;
    }
    this.observe(lease);
    const holder = lease.spec.holderIdentity ?? '';
    const held = holder !== '' && holder !== identity;
    const durationMs = (lease.spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    if (held && this.observedAt + durationMs > now) return false;
    const spec: LeaseSpec =
      holder === identity
        ? { ...lease.spec, renewTime: microTime(now), leaseDurationSeconds: this.leaseDurationMs / 1000 }
        : { ...fresh, leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 };
    const updated = await this.write({ ...lease, spec });
    if (updated) this.observe(updated);
    return updated !== undefined;
  }

  private observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = this.now();
    }
    const holder = lease.spec.holderIdentity ?? '';
    if (holder !== this.leader) {
      this.leader = holder;
      if (holder) this.options.onNewLeader?.(holder);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.logger?.info(
      { lease: this.name, identity: this.options.identity, leading },
      leading ? 'became leader' : 'stopped leading',
    );
    if (leading) this.options.onStartedLeading?.();
    else this.options.onStoppedLeading?.();
  }

  private path(): string {
    return objectPath(apiResource('Lease'), this.options.namespace, this.name);
  }

  private async read(): Promise<Lease | undefined> {
    const response = await this.options.api.send('GET', this.path());
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw new AmbitError('Unavailable', `reading Lease ${this.options.namespace}/${this.name}: ${response.status}`);
    return response.body as Lease;
  }

  /** undefined when another candidate created it first (409). */
  private async create(spec: LeaseSpec): Promise<Lease | undefined> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.options.namespace },
      spec,
    };
    const response = await this.options.api.send('POST', createPath(apiResource('Lease'), this.options.namespace), { body });
    if (response.status === 409) return undefined;
    if (response.status !== 201 && response.status !== 200)
      throw new AmbitError('Unavailable', `creating Lease ${this.options.namespace}/${this.name}: ${response.status}`);
    return response.body as Lease;
  }

  /** undefined when the Lease changed since it was read (409): someone else won this round. */
  private async write(lease: Lease): Promise<Lease | undefined> {
    const response = await this.options.api.send('PUT', this.path(), { body: lease });
    if (response.status === 409) return undefined;
    if (response.status !== 200)
      throw new AmbitError('Unavailable', `updating Lease ${this.options.namespace}/${this.name}: ${response.status}`);
    return response.body as Lease;
  }
}
