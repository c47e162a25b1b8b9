import type { ObjectKey, Revision, Store } from '@ambit/control-plane/store';
import { dnsLabel } from '@ambit/shared';
import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';
import { kindInput } from './resources.schema';

/** Config history across every object, for the console's /history page: who changed what, when, with before and after. */

export const historyListInput = z
  .strictObject({
    kind: kindInput.optional(),
    namespace: dnsLabel.optional(),
    /** Part of the object's name. */
    name: z.string().max(253).optional(),
    /** Exact author, as history records it (`admin`, `token:ci`). */
    author: z.string().max(200).optional(),
    operation: z.enum(['create', 'update', 'delete', 'revert']).optional(),
    /** ISO time; only changes at or after it. */
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .default({ limit: 200 });

/** Every object that ever had a change: the store's change log replayed from the start (deleted objects included). */
function changedKeys(store: Store): ObjectKey[] {
  const keys = new Map<string, ObjectKey>();
  // watch() replays the log synchronously before returning; the listener only collects keys.
  const stop = store.watch(0, (event) => {
    const { kind, metadata } = event.object;
    const key = { kind, namespace: metadata.namespace ?? '', name: metadata.name };
    keys.set(`${key.kind}\u0000${key.namespace}\u0000${key.name}`, key);
  });
  stop();
  return [...keys.values()];
}

function matches(revision: Revision, filter: z.output<typeof historyListInput>): boolean {
  const { key } = revision;
  if (filter.kind && key.kind !== filter.kind.kind) return false;
  if (filter.namespace && key.namespace !== filter.namespace) return false;
  if (filter.name && !key.name.includes(filter.name)) return false;
  if (filter.author && revision.author !== filter.author) return false;
  if (filter.operation && revision.operation !== filter.operation) return false;
  if (filter.since && Date.parse(revision.time) < Date.parse(filter.since)) return false;
  return true;
}

export const historyRouter = router({
  /** Changes to every object, newest first, filtered; each with before/after for a side-by-side diff. */
  list: viewerProcedure.input(historyListInput).query(({ ctx, input }) => {
    const { store } = ctx.services.controlPlane;
    const keys = changedKeys(store).filter(
      (key) => (!input.kind || key.kind === input.kind.kind) && (!input.namespace || key.namespace === input.namespace),
    );
    const revisions = keys.flatMap((key) => store.history(key)).filter((revision) => matches(revision, input));
    revisions.sort((a, b) => b.resourceVersion - a.resourceVersion);
    const authors = [...new Set(revisions.map((r) => r.author))].sort();
    // Kubernetes mode keeps no revisions: the page says so rather than showing an empty history.
    return { changes: revisions.slice(0, input.limit), total: revisions.length, authors, keepsHistory: store.keepsHistory };
  }),
});
