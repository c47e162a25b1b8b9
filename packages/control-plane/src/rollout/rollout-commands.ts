import { AmbitError, type Canary, type CanaryPhase } from '@ambit/shared';
import { describeKey } from '../store/sqlite-store';
import type { ObjectKey, Store, StoredObject } from '../store/types';
import { STORE_WRITERS } from '../store/writers';
import { type GateType, webhooksOf } from './canary-model';
import { type RolloutCommands, type RolloutStatus, rolloutStatusOf } from './rollout-status';

/**
 * Operator requests on a run (promote, abort, retry, approve a gate), recorded in the Canary's
 * status for the controller to act on at its next tick. The controller owns the rest of the status;
 * these writes touch only `status.ambit.commands` and `status.ambit.approvals`.
 */

export type RolloutCommandName = keyof RolloutCommands;

const RUNNING: readonly CanaryPhase[] = ['Progressing', 'Waiting', 'WaitingPromotion'];
const ALLOWED: Record<RolloutCommandName, readonly CanaryPhase[]> = {
  promote: RUNNING,
  abort: RUNNING,
  retry: ['Failed'],
};

function load(store: Store, key: ObjectKey): StoredObject {
  const stored = store.get(key);
  if (!stored) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
  return stored;
}

function write(store: Store, stored: StoredObject, status: RolloutStatus): Promise<StoredObject> {
  const key = { kind: 'Canary', namespace: stored.metadata.namespace ?? 'default', name: stored.metadata.name };
  return store.updateStatusAsync(key, status, {
    resourceVersion: stored.metadata.resourceVersion,
    writer: STORE_WRITERS.console,
  });
}

export async function requestRolloutCommand(
  store: Store,
  key: ObjectKey,
  command: RolloutCommandName,
  by: string,
  now = new Date(),
): Promise<StoredObject> {
  const stored = load(store, key);
  const status = rolloutStatusOf(stored.status);
  const phase = status.phase;
  if (!phase || !ALLOWED[command].includes(phase)) {
    throw new AmbitError(
      'Conflict',
      `cannot ${command} ${describeKey(key)} in phase ${phase ?? '(not initialized)'}; ${command} applies in ${ALLOWED[command].join(', ')}`,
    );
  }
  const ambit = status.ambit ?? {};
  return write(store, stored, {
    ...status,
    ambit: { ...ambit, commands: { ...ambit.commands, [command]: { by, at: now.toISOString() } } },
  });
}

export async function approveRolloutGate(
  store: Store,
  key: ObjectKey,
  gate: GateType,
  by: string,
  now = new Date(),
): Promise<StoredObject> {
  const stored = load(store, key);
  const canary = stored as unknown as Canary;
  const status = rolloutStatusOf(stored.status);
  if (webhooksOf(canary, gate).length === 0) {
    throw new AmbitError('Conflict', `${describeKey(key)} has no ${gate} webhook to approve`, [
      { path: 'spec.analysis.webhooks', message: `add a webhook of type ${gate}` },
    ]);
  }
  if (!status.phase || !RUNNING.includes(status.phase)) {
    throw new AmbitError('Conflict', `${describeKey(key)} has no run in progress (phase ${status.phase ?? '(not initialized)'})`);
  }
  const ambit = status.ambit ?? {};
  const approvals = [...(ambit.approvals ?? []).filter((a) => a.gate !== gate), { gate, by, at: now.toISOString() }];
  return write(store, stored, { ...status, ambit: { ...ambit, approvals } });
}

/** Canary with `spec.suspend` set or cleared: a normal change (in history), as `kubectl patch` would make it. */
export function suspendedCanary(stored: StoredObject, suspend: boolean): Canary {
  const { status: _status, ...rest } = stored as unknown as Canary & { status?: unknown };
  const metadata = { ...rest.metadata } as Record<string, unknown>;
  for (const field of ['uid', 'resourceVersion', 'generation', 'creationTimestamp']) delete metadata[field];
  return { ...rest, metadata, spec: { ...rest.spec, suspend } } as Canary;
}
