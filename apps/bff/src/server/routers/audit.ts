import { z } from 'zod';
import { adminProcedure, router } from '../trpc';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, like 2025-01-31T12:00:00Z' });

const listInput = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  procedure: z.string().min(1).max(200).optional(),
  kind: z.string().min(1).max(100).optional(),
  namespace: z.string().min(1).max(63).optional(),
  name: z.string().min(1).max(253).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** The previous page's nextCursor. */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

/** The audit log (admin only): newest first, filtered, paged with a cursor. */
export const auditRouter = router({
  list: adminProcedure.input(listInput).query(({ ctx, input }) => {
    // Stored times are UTC ISO strings; normalise the bounds so they compare as text.
    const since = input.since ? new Date(input.since).toISOString() : undefined;
    const until = input.until ? new Date(input.until).toISOString() : undefined;
    return ctx.services.audit.list({ ...input, ...(since ? { since } : {}), ...(until ? { until } : {}) });
  }),
});
