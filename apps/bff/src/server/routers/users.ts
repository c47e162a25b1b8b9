import { AmbitError } from '@ambit/shared';
import { z } from 'zod';
import { newPassword, username } from '../auth/account-inputs';
import { generatePassword } from '../auth/passwords';
import { roleSchema } from '../auth/roles';
import type { User } from '../auth/users';
import { adminProcedure, router } from '../trpc';

/** What the audit log keeps of a user: never a password or its hash. */
function auditView(user: User) {
  return { username: user.username, role: user.role };
}

/** Local users (admin only). Passwords left out are generated and returned once. */
export const usersRouter = router({
  list: adminProcedure.input(z.void()).query(({ ctx }) => ctx.services.users.list()),

  create: adminProcedure
    .input(z.strictObject({ username, role: roleSchema, password: newPassword.optional() }))
    .mutation(async ({ ctx, input }) => {
      const change = ctx.audit.target({ kind: 'User', name: input.username });
      const password = input.password ?? generatePassword();
      const user = await ctx.services.users.create({ username: input.username, role: input.role, password, createdBy: ctx.audit.actor });
      change.after = auditView(user);
      return { user, ...(input.password === undefined ? { generatedPassword: password } : {}) };
    }),

  setRole: adminProcedure.input(z.strictObject({ username, role: roleSchema })).mutation(({ ctx, input }) => {
    const change = ctx.audit.target({ kind: 'User', name: input.username });
    const { before, after } = ctx.services.users.setRole(input.username, input.role);
    change.before = auditView(before);
    change.after = auditView(after);
    return after;
  }),

  /** Sets (or generates) a new password and signs the user out everywhere. */
  resetPassword: adminProcedure.input(z.strictObject({ username, password: newPassword.optional() })).mutation(async ({ ctx, input }) => {
    ctx.audit.target({ kind: 'User', name: input.username });
    const password = input.password ?? generatePassword();
    const user = await ctx.services.users.setPassword(input.username, password);
    ctx.services.sessions.revokeOthers(input.username);
    return { user, ...(input.password === undefined ? { generatedPassword: password } : {}) };
  }),

  delete: adminProcedure.input(z.strictObject({ username })).mutation(({ ctx, input }) => {
    const change = ctx.audit.target({ kind: 'User', name: input.username });
    if (ctx.principal.kind === 'user' && ctx.principal.name === input.username) {
      throw new AmbitError('InvalidArgument', 'you cannot delete your own account', [
        { path: 'username', message: 'is you; ask another admin to delete it' },
      ]);
    }
    const deleted = ctx.services.users.delete(input.username);
    change.before = auditView(deleted);
    return deleted;
  }),
});
