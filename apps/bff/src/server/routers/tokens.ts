import { z } from 'zod';
import { roleSchema } from '../auth/roles';
import { adminProcedure, router } from '../trpc';

const DAY_MS = 24 * 60 * 60 * 1000;

const createInput = z.strictObject({
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'must be letters, digits, spaces, ".", "_" or "-"'),
  role: roleSchema,
  /** Omitted: the token does not expire (revoke it when done). */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** API tokens for the CLI and automation (admin only). The secret is shown once, at creation. */
export const tokensRouter = router({
  list: adminProcedure.input(z.void()).query(({ ctx }) => ctx.services.tokens.list()),

  create: adminProcedure.input(createInput).mutation(({ ctx, input }) => {
    const { token, record } = ctx.services.tokens.create({
      name: input.name,
      role: input.role,
      createdBy: ctx.audit.actor,
      ...(input.expiresInDays ? { expiresAt: new Date(Date.now() + input.expiresInDays * DAY_MS) } : {}),
    });
    ctx.audit.target({ kind: 'ApiToken', name: record.id }, { after: record });
    return { token, ...record };
  }),

  revoke: adminProcedure
    .input(z.strictObject({ id: z.string().regex(/^[0-9a-f]{12}$/, 'must be a token id from tokens.list') }))
    .mutation(({ ctx, input }) => {
      const change = ctx.audit.target({ kind: 'ApiToken', name: input.id });
      const { before, after } = ctx.services.tokens.revoke(input.id);
      change.before = before;
      change.after = after;
      return after;
    }),
});
