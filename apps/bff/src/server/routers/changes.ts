import { dnsLabel } from '@ambit/shared';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { watchChanges } from '../changes/watch-stream';
import { router, viewerProcedure } from '../trpc';
import { kindInput } from './resources.schema';

const resourceVersion = z.string().regex(/^\d+$/, 'must be a resourceVersion');

const watchInput = z.strictObject({
  /** Only these kinds (as resources.* accept them); omitted: all. */
  kinds: z.array(kindInput).max(50).optional(),
  /** Only objects in this namespace (and the Namespace itself). */
  namespace: dnsLabel.optional(),
  /** Start after this version, e.g. resources.list's resourceVersion; omitted: from now. */
  fromResourceVersion: resourceVersion.optional(),
  /** Set by the SSE client on reconnect (the last event's id): resumes where it left off. */
  lastEventId: resourceVersion.nullish(),
});

/** Live changes of the store over SSE, each event tracked by its resourceVersion so a reconnect misses nothing. */
export const changesRouter = router({
  watch: viewerProcedure.input(watchInput).subscription(async function* ({ ctx, input, signal }) {
    const { store } = ctx.services.controlPlane;
    const resumeAt = input.lastEventId ?? input.fromResourceVersion;
    const from = resumeAt ? Number(resumeAt) : store.currentResourceVersion();
    const filter = {
      ...(input.kinds ? { kinds: new Set(input.kinds.map((k) => k.kind)) } : {}),
      ...(input.namespace ? { namespace: input.namespace } : {}),
    };
    // The signal is always set for subscriptions; the fallback only satisfies the type.
    for await (const change of watchChanges(store, from, filter, signal ?? new AbortController().signal)) {
      yield tracked(String(change.resourceVersion), change);
    }
  }),
});
