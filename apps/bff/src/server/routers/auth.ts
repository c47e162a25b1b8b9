import { AmbitError } from '@ambit/shared';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { newPassword } from '../auth/account-inputs';
import { clearedSessionCookie, sessionCookie } from '../auth/cookies';
import { LoginLimiter } from '../auth/login-limiter';
import type { BffContext } from '../context';
import { publicProcedure, router, viewerProcedure } from '../trpc';

const loginInput = z.strictObject({
  username: z.string().min(1, 'must not be empty').max(64),
  password: z.string().min(1, 'must not be empty').max(1024),
});

const changePasswordInput = z.strictObject({
  currentPassword: z.string().min(1, 'must not be empty').max(1024),
  newPassword,
});

/**
 * Refuses with 429 and Retry-After while this username and address are over the limit; else counts
 * the attempt as failed until the caller resets it on success. Counting before the (slow) hash keeps
 * parallel guesses from all slipping in under the limit.
 */
function beginPasswordAttempt(ctx: BffContext, username: string): string {
  const key = LoginLimiter.key(username, ctx.request.clientIp);
  const waitMs = ctx.services.loginLimiter.retryAfterMs(key);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    ctx.resHeaders.set('Retry-After', String(seconds));
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `too many failed sign-ins for "${username}" from this address; try again in ${seconds} s`,
    });
  }
  ctx.services.loginLimiter.recordFailure(key);
  return key;
}

/** Sign-in with a session cookie (the console), who am I, sign-out, and changing one's own password. */
export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const { users, sessions, loginLimiter } = ctx.services;
    ctx.audit.target({ kind: 'User', name: input.username });
    const limitKey = beginPasswordAttempt(ctx, input.username);
    const user = await users.authenticate(input.username, input.password);
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong username or password' });
    loginLimiter.reset(limitKey);
    if (ctx.principal?.via === 'session') sessions.revoke(ctx.principal.sessionId);
    const { id, session } = sessions.create(user.username);
    ctx.resHeaders.append('Set-Cookie', sessionCookie(id, Math.floor(sessions.ttlMs / 1000), ctx.request.https));
    ctx.audit.actor = user.username;
    return { username: user.username, role: user.role, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
  }),

  logout: viewerProcedure.input(z.void()).mutation(({ ctx }) => {
    if (ctx.principal.via !== 'session') return { signedOut: false };
    ctx.services.sessions.revoke(ctx.principal.sessionId);
    ctx.resHeaders.append('Set-Cookie', clearedSessionCookie(ctx.request.https));
    return { signedOut: true };
  }),

  /** The caller; for a browser session also its CSRF token, so a reloaded page can make mutations again. */
  me: viewerProcedure.input(z.void()).query(({ ctx }) => {
    const p = ctx.principal;
    if (p.via === 'bearer') return { kind: p.kind, name: p.name, role: p.role };
    return { kind: p.kind, name: p.name, role: p.role, csrfToken: p.csrfToken, expiresAt: new Date(p.expiresAt).toISOString() };
  }),

  /** Signs the user out of every other session. Wrong current passwords count towards the sign-in limit. */
  changePassword: viewerProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    const p = ctx.principal;
    if (p.kind !== 'user') throw new AmbitError('InvalidArgument', 'API tokens have no password; sign in as a user');
    const { users, sessions, loginLimiter } = ctx.services;
    ctx.audit.target({ kind: 'User', name: p.name });
    const limitKey = beginPasswordAttempt(ctx, p.name);
    if (!(await users.authenticate(p.name, input.currentPassword))) {
      throw new AmbitError('InvalidArgument', 'the current password is wrong', [
        { path: 'currentPassword', message: 'does not match your password' },
      ]);
    }
    loginLimiter.reset(limitKey);
    await users.setPassword(p.name, input.newPassword);
    sessions.revokeOthers(p.name, p.via === 'session' ? p.sessionId : '');
    return { changed: true };
  }),
});
