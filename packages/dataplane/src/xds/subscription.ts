// One subscribed resource type: what the sink holds of it (names and versions), and how a
// response becomes one all-or-nothing sink update. Delta responses carry changes and removals;
// state-of-the-world responses carry resources, and for LDS, CDS and wildcard subscriptions their
// absence means removal.
import { createHash } from 'node:crypto';
import { isAmbitError } from '@ambit/shared/errors';
import type { Any } from '@ambit/shared/xds/any';
import type { ReceivedDeltaResponse, ReceivedResponse } from '@ambit/shared/xds/client-messages';
import { requiresFullStateInSotw, shortTypeName } from '@ambit/shared/xds/type-urls';
import { type ResourceType, resourceTypeFor } from './resource-types';
import type { XdsSink } from './sink';

/** A type to subscribe to: every resource of it (no `names`), or only the named ones. */
export interface Subscription {
  typeUrl: string;
  names?: readonly string[];
}

export interface NackRecord {
  message: string;
  nonce: string;
  at: number;
}

export interface SubscriptionStatus {
  typeUrl: string;
  /** lds, rds, cds, eds, wds, wads, nds, or the URL. */
  type: string;
  /** `*` for every resource of the type. */
  names: readonly string[] | '*';
  /** version_info (SotW) or system_version_info (delta) of the last accepted response. */
  version?: string;
  resourceCount: number;
  /** Whether a response of this type has been accepted since the client started. */
  synced: boolean;
  lastUpdate?: number;
  acks: number;
  nacks: number;
  lastNack?: NackRecord;
}

/** How much of a response reached the sink. */
export interface AppliedChange {
  upserted: number;
  removed: number;
}

export class TypeSubscription {
  readonly typeUrl: string;
  /** Undefined: every resource of the type. */
  readonly names: readonly string[] | undefined;
  /** Name → version of what the sink holds: the server's version (delta) or a content digest (SotW). */
  readonly held = new Map<string, string>();
  version: string | undefined;
  lastUpdate: number | undefined;
  lastNack: NackRecord | undefined;
  acks = 0;
  nacks = 0;
  private readonly type: ResourceType;
  private readonly label: string;
  /** SotW only: content digest → name, so unchanged resources in a full-state response are not decoded again. */
  private readonly namesByDigest = new Map<string, string>();

  constructor(subscription: Subscription) {
    this.typeUrl = subscription.typeUrl;
    this.names = subscription.names && [...subscription.names];
    this.type = resourceTypeFor(subscription.typeUrl);
    this.label = subscription.typeUrl.slice(subscription.typeUrl.lastIndexOf('/') + 1);
  }

  get synced(): boolean {
    return this.acks > 0;
  }

  /** What a request subscribes to: the names, or `*`. */
  requestedNames(): string[] {
    return this.names ? [...this.names] : ['*'];
  }

  /** Hands a delta response to the sink. Throws, with a message fit for a NACK, and changes nothing if it is rejected. */
  applyDelta(response: ReceivedDeltaResponse, sink: XdsSink): AppliedChange {
    const upserted = new Map<string, unknown>();
    for (const entry of response.resources) {
      if (!entry.name) throw new Error(`a ${this.label} resource has no name`);
      upserted.set(entry.name, this.decode(entry.name, entry.resource));
    }
    const removed = response.removedResources.filter((name) => this.held.has(name) && !upserted.has(name));
    this.commit(sink, upserted, removed);
    for (const entry of response.resources) this.held.set(entry.name, entry.version);
    for (const name of removed) this.held.delete(name);
    this.accepted(response.systemVersionInfo);
    return { upserted: upserted.size, removed: removed.length };
  }

  /** Hands a state-of-the-world response to the sink: only what changed, and what a full-state response left out. */
  applySotw(response: ReceivedResponse, sink: XdsSink): AppliedChange {
    const received = new Map<string, string>();
    const upserted = new Map<string, unknown>();
    response.resources.forEach((any, index) => {
      const digest = createHash('sha256').update(any.value).digest('base64url').slice(0, 22);
      let name = this.namesByDigest.get(digest);
      if (name === undefined || this.held.get(name) !== digest) {
        const decoded = this.decode(`#${index}`, any);
        name = this.type.nameOf(decoded);
        if (!name) throw new Error(`${this.label} #${index} has no name`);
        upserted.set(name, decoded);
      }
      if (received.has(name)) throw new Error(`${this.label} ${name} appears twice in one response`);
      received.set(name, digest);
    });
    const fullState = requiresFullStateInSotw(this.typeUrl) || this.names === undefined;
    const removed = fullState ? [...this.held.keys()].filter((name) => !received.has(name)) : [];
    this.commit(sink, upserted, removed);
    for (const name of removed) this.forget(name);
    for (const [name, digest] of received) {
      this.forget(name);
      this.held.set(name, digest);
      this.namesByDigest.set(digest, name);
    }
    this.accepted(response.versionInfo);
    return { upserted: upserted.size, removed: removed.length };
  }

  rejected(message: string, nonce: string): void {
    this.nacks++;
    this.lastNack = { message, nonce, at: Date.now() };
  }

  status(): SubscriptionStatus {
    const status: SubscriptionStatus = {
      typeUrl: this.typeUrl,
      type: shortTypeName(this.typeUrl),
      names: this.names ?? '*',
      resourceCount: this.held.size,
      synced: this.synced,
      acks: this.acks,
      nacks: this.nacks,
    };
    if (this.version !== undefined) status.version = this.version;
    if (this.lastUpdate !== undefined) status.lastUpdate = this.lastUpdate;
    if (this.lastNack) status.lastNack = { ...this.lastNack };
    return status;
  }

  private decode(name: string, any: Any | undefined): unknown {
    if (!any) throw new Error(`${this.label} ${name} came without its content`);
    if (any.typeUrl !== this.typeUrl) throw new Error(`${this.label} ${name} holds a ${any.typeUrl}`);
    try {
      return this.type.decode(any.value);
    } catch (error) {
      throw new Error(`${this.label} ${name} does not decode: ${messageOf(error)}`);
    }
  }

  private commit(sink: XdsSink, upserted: ReadonlyMap<string, unknown>, removed: readonly string[]): void {
    if (upserted.size === 0 && removed.length === 0) return;
    try {
      sink.apply(this.typeUrl, { upserted, removed });
    } catch (error) {
      throw new Error(`${this.label} update rejected: ${messageOf(error)}`);
    }
  }

  private accepted(version: string): void {
    this.version = version;
    this.lastUpdate = Date.now();
    this.acks++;
  }

  private forget(name: string): void {
    const digest = this.held.get(name);
    if (digest !== undefined && this.namesByDigest.get(digest) === name) this.namesByDigest.delete(digest);
    this.held.delete(name);
  }
}

/** One line for a NACK's error_detail: an AmbitError with its details, or any error's message. */
export function messageOf(error: unknown): string {
  if (isAmbitError(error)) return error.describe().replaceAll('\n ', ';');
  return error instanceof Error ? error.message : String(error);
}
