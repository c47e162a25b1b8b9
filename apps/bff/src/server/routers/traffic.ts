import { listTrafficSplits, readTrafficSplit, splitRoute, type TrafficSplit, validateSplit } from '@ambit/control-plane';
import { type ObjectKey, STORE_WRITERS, type StoredObject } from '@ambit/control-plane/store';
import { AmbitError, changedPaths, dnsLabel, encodeManifests, type KubeObject, objectName } from '@ambit/shared';
import { z } from 'zod';
import { actorName } from '../auth/principal';
import type { BffContext } from '../context';
import { operatorProcedure, router, viewerProcedure } from '../trpc';

/**
 * Manual traffic splits for a Service behind a waypoint: its backends and weights, a preview of
 * the HTTPRoute as a diff, apply and undo through the store's history like every other change.
 */

const serviceInput = z.strictObject({ namespace: dnsLabel, service: objectName });

const splitInput = serviceInput.extend({
  backends: z
    .array(
      z.strictObject({ name: objectName, weight: z.number().int().min(0).max(100), port: z.number().int().min(1).max(65535).optional() }),
    )
    .min(1)
    .max(16),
});

const applyInput = splitInput.extend({
  /** The route's resourceVersion as traffic.get returned it: refuses the apply if someone changed it since. */
  resourceVersion: z.string().regex(/^\d+$/, 'must be a resourceVersion').optional(),
});

/** What a user sees of an object in a diff: no server-owned metadata, no status. */
function asWritten(object: KubeObject | StoredObject | undefined): KubeObject | undefined {
  if (!object) return undefined;
  const { status: _status, ...rest } = object as KubeObject & { status?: unknown };
  const metadata = { ...rest.metadata } as Record<string, unknown>;
  for (const field of ['uid', 'resourceVersion', 'generation', 'creationTimestamp']) delete metadata[field];
  return { ...rest, metadata: metadata as KubeObject['metadata'] };
}

function current(ctx: BffContext, namespace: string, service: string): TrafficSplit {
  const { store, registry } = ctx.services.controlPlane;
  return readTrafficSplit(store, registry.snapshot(), namespace, service);
}

function routeKey(split: TrafficSplit, route: KubeObject): ObjectKey {
  return { kind: 'HTTPRoute', namespace: split.namespace, name: route.metadata.name };
}

function plan(ctx: BffContext, input: z.infer<typeof splitInput>) {
  const split = current(ctx, input.namespace, input.service);
  validateSplit(split, input.backends);
  const route = splitRoute(ctx.services.controlPlane.store, split, input.backends);
  return { split, route, before: asWritten(ctx.services.controlPlane.store.get(routeKey(split, route))) };
}

export const trafficRouter = router({
  list: viewerProcedure.input(z.strictObject({ namespace: dnsLabel.optional() })).query(({ ctx, input }): { items: TrafficSplit[] } => {
    const { store, registry } = ctx.services.controlPlane;
    return { items: listTrafficSplits(store, registry.snapshot(), input.namespace) };
  }),

  get: viewerProcedure.input(serviceInput).query(({ ctx, input }) => current(ctx, input.namespace, input.service)),

  /** The HTTPRoute the split would write, with the route as it is now, for a side-by-side diff. */
  preview: viewerProcedure.input(splitInput).query(({ ctx, input }) => {
    const { route, before } = plan(ctx, input);
    const after = encodeManifests([route]);
    return {
      yaml: after,
      before: before ? encodeManifests([before]) : null,
      after,
      changedPaths: changedPaths(before ?? {}, route),
      route: route as unknown,
    };
  }),

  // Named applySplit: tRPC reserves `apply` (and `call`, `then`) as procedure names.
  applySplit: operatorProcedure.input(applyInput).mutation(async ({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    const { split, route } = plan(ctx, input);
    const key = routeKey(split, route);
    const change = ctx.audit.target(key, { before: store.get(key), detail: { backends: input.backends } });
    const stored = store.get(key);
    if (input.resourceVersion !== undefined && stored && stored.metadata.resourceVersion !== input.resourceVersion) {
      throw new AmbitError(
        'Conflict',
        `HTTPRoute/${key.namespace}/${key.name} is at resourceVersion ${stored.metadata.resourceVersion}, not ${input.resourceVersion}; reload the split`,
      );
    }
    const [result] = await store.applyAsync([route], {
      author: actorName(ctx.principal),
      writer: STORE_WRITERS.console,
      defaultNamespace: split.namespace,
    });
    if (!result) throw new AmbitError('Internal', 'the store applied nothing');
    change.after = result.object;
    const history = store.history(key);
    return {
      action: result.action,
      revision: history[history.length - 1]?.revision ?? 0,
      split: current(ctx, input.namespace, input.service),
    };
  }),

  /** Reverts the service's route to its previous revision; deletes it when the last change created it. */
  undo: operatorProcedure.input(serviceInput).mutation(async ({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    const split = current(ctx, input.namespace, input.service);
    if (!split.route) throw new AmbitError('NotFound', `Service ${input.namespace}/${input.service} has no HTTPRoute to undo`);
    if (split.managedBy) throw new AmbitError('Conflict', `the route is managed by Canary ${split.managedBy}; use rollouts.* instead`);
    const key: ObjectKey = { kind: 'HTTPRoute', namespace: input.namespace, name: split.route };
    // Without history, "undo" cannot tell a created route from an edited one: refuse rather than delete it.
    if (!store.keepsHistory) {
      throw new AmbitError(
        'InvalidArgument',
        `cannot undo the split of Service ${input.namespace}/${input.service}: Kubernetes mode keeps no history; apply the split you want instead`,
      );
    }
    const history = store.history(key);
    const latest = history[history.length - 1];
    const change = ctx.audit.target(key, { before: store.get(key), detail: { undo: latest?.revision } });
    const previous = history[history.length - 2];
    if (!latest || !previous || latest.operation === 'create') {
      const deleted = await store.deleteAsync(key, { author: actorName(ctx.principal), writer: STORE_WRITERS.console });
      change.before = deleted;
      return { action: 'deleted' as const, revision: null, split: current(ctx, input.namespace, input.service) };
    }
    const result = await store.revertAsync(key, previous.revision, { author: actorName(ctx.principal), writer: STORE_WRITERS.console });
    change.after = result.object;
    const after = store.history(key);
    return {
      action: 'reverted' as const,
      revision: after[after.length - 1]?.revision ?? null,
      split: current(ctx, input.namespace, input.service),
    };
  }),
});
