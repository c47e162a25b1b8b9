import { describeKey, keyOf, type ObjectKey, STORE_WRITERS } from '@ambit/control-plane/store';
import { AmbitError, type ErrorLocation, type KindInfo, readManifests } from '@ambit/shared';
import { actorName } from '../auth/principal';
import { analyzeMesh, messagesAbout } from '../mesh/analysis';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { applyInput, deleteInput, listInput, objectInput, revertInput, validateInput } from './resources.schema';
import { validateManifest } from './resources.validate';

function objectKey(info: KindInfo, namespace: string | undefined, name: string): ObjectKey {
  return { kind: info.kind, namespace: info.namespaced ? (namespace ?? 'default') : '', name };
}

function auditTarget(key: ObjectKey) {
  return { kind: key.kind, ...(key.namespace ? { namespace: key.namespace } : {}), name: key.name };
}

/** Mesh configuration: the store's objects, their history, and apply with analysis warnings. */
export const resourcesRouter = router({
  list: viewerProcedure.input(listInput).query(({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    // The version to start changes.watch from, so a page can list then follow without a gap.
    const resourceVersion = store.currentResourceVersion();
    return { items: store.list(input.kind.kind, input.kind.namespaced ? input.namespace : undefined), resourceVersion };
  }),

  get: viewerProcedure.input(objectInput).query(({ ctx, input }) => {
    const key = objectKey(input.kind, input.namespace, input.name);
    const object = ctx.services.controlPlane.store.get(key);
    if (!object) throw new AmbitError('NotFound', `${describeKey(key)} not found`);
    return object;
  }),

  /** Validates every document first (all problems at once, with document, line and field path), then applies all or nothing. */
  // Named applyManifests: tRPC reserves `apply` (and `call`, `then`) as procedure names.
  applyManifests: operatorProcedure.input(applyInput).mutation(async ({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    ctx.audit.detail = { dryRun: input.dryRun };
    const manifests = readManifests(input.yaml);
    const objects = manifests.map((m) => m.object);
    const changes = objects.map((object) => {
      const key = keyOf(object, input.namespace);
      return ctx.audit.target(auditTarget(key), { before: store.get(key) });
    });
    // `locations` is the SQLite store's extension of WriteOptions: its conflicts then name the document and line.
    const options: { author: string; writer: string; defaultNamespace: string; dryRun: boolean; locations: ErrorLocation[] } = {
      author: actorName(ctx.principal),
      writer: STORE_WRITERS.console,
      defaultNamespace: input.namespace,
      dryRun: input.dryRun,
      locations: manifests.map((m) => m.location),
    };
    const results = await store.applyAsync(objects, options);
    results.forEach((result, index) => {
      const change = changes[index];
      if (!change) return;
      change.detail = { action: result.action };
      if (result.action === 'unchanged') delete change.before;
      else change.after = result.object;
    });
    const applied = results.map((r) => r.object);
    return {
      dryRun: input.dryRun,
      results: results.map((r) => ({
        kind: r.key.kind,
        namespace: r.key.namespace,
        name: r.key.name,
        action: r.action,
        resourceVersion: r.object.metadata.resourceVersion,
      })),
      warnings: messagesAbout(analyzeMesh(ctx.services.controlPlane, { overlay: applied }), applied),
    };
  }),

  /** The editor's check, changing nothing: syntax, schema, a dry run of the store, analysis — each problem at its field's line. */
  validate: viewerProcedure
    .input(validateInput)
    .query(({ ctx, input }) => validateManifest(ctx.services.controlPlane, input.yaml, input.namespace)),

  delete: operatorProcedure.input(deleteInput).mutation(async ({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    const key = objectKey(input.kind, input.namespace, input.name);
    const change = ctx.audit.target(auditTarget(key), { before: store.get(key), detail: { dryRun: input.dryRun } });
    const deleted = await store.deleteAsync(key, {
      author: actorName(ctx.principal),
      writer: STORE_WRITERS.console,
      dryRun: input.dryRun,
      ...(input.resourceVersion !== undefined ? { resourceVersion: input.resourceVersion } : {}),
    });
    change.before = deleted;
    return { dryRun: input.dryRun, deleted };
  }),

  history: viewerProcedure.input(objectInput).query(({ ctx, input }) => {
    return ctx.services.controlPlane.store.history(objectKey(input.kind, input.namespace, input.name));
  }),

  revert: operatorProcedure.input(revertInput).mutation(async ({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    const key = objectKey(input.kind, input.namespace, input.name);
    const change = ctx.audit.target(auditTarget(key), { before: store.get(key), detail: { toRevision: input.toRevision } });
    const result = await store.revertAsync(key, input.toRevision, { author: actorName(ctx.principal), writer: STORE_WRITERS.console });
    change.after = result.object;
    change.detail = { toRevision: input.toRevision, action: result.action };
    return { action: result.action, object: result.object };
  }),
});
