import { timingSafeEqual } from 'node:crypto';
import { AmbitError } from '@ambit/shared';
import { initTRPC, TRPCError } from '@trpc/server';
import { AuditRecorder } from './audit/recorder';
import { actorName } from './auth/principal';
import { hasRole, type Role } from './auth/roles';
import { type BffContext, CSRF_HEADER } from './context';
import { presentError, toTRPCError } from './error-mapping';

/**
 * Procedures and their guards. Every procedure declares the role it needs in its meta; the API
 * tests read that meta for every procedure of the router and call each one without credentials and
 * with every lesser role, so a procedure that forgets its guard fails them.
 */
export interface ProcedureMeta {
  role: Role | 'public';
}

const t = initTRPC
  .context<BffContext>()
  .meta<ProcedureMeta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error }) {
      const { message, ambit } = presentError(error);
      return {
        ...shape,
        message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, ...(ambit ? { ambit } : {}) },
      };
    },
    // Pings keep proxies from closing an idle change stream; the client reconnects when they stop.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  });

export const router = t.router;

function mergedDetail(call: Record<string, unknown> | undefined, target: Record<string, unknown> | undefined) {
  return call || target ? { detail: { ...call, ...target } } : {};
}

/** Records every mutation call in the audit log, whatever its outcome, refused ones included. */
const auditMutations = t.middleware(async ({ ctx, type, path, next }) => {
  const audit = new AuditRecorder(actorName(ctx.principal));
  const result = await next({ ctx: { audit } });
  if (type !== 'mutation') return result;
  const common = {
    requestId: ctx.request.id,
    time: new Date().toISOString(),
    actor: audit.actor,
    clientIp: ctx.request.clientIp,
    procedure: path,
    outcome: result.ok ? ('success' as const) : ('failure' as const),
    ...(result.ok ? {} : { error: { code: result.error.code, message: presentError(result.error).message } }),
  };
  const rows =
    audit.changes.length > 0
      ? audit.changes.map((change) => ({ ...common, ...change, ...mergedDetail(audit.detail, change.detail) }))
      : [{ ...common, ...mergedDetail(audit.detail, undefined) }];
  try {
    ctx.services.audit.record(rows);
  } catch (error) {
    // The change itself is committed and cannot be taken back; make the gap loud.
    ctx.services.logger.error({ err: error, procedure: path, actor: audit.actor }, 'could not write the audit log');
  }
  return result;
});

/** Store and control-plane errors carry AmbitError codes; give them their HTTP meaning. */
const translateAmbitErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AmbitError) return { ...result, error: toTRPCError(result.error.cause) };
  return result;
});

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const base = t.procedure.use(auditMutations).use(translateAmbitErrors);

/** Refuses the call unless the caller is signed in, has the meta's role, and — for mutations made with the session cookie — sent the CSRF token. */
const authenticated = base.use(({ ctx, meta, path, type, next }) => {
  const principal = ctx.principal;
  if (!principal) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: ctx.authProblem ?? 'sign in, or send an API token as "Authorization: Bearer <token>"',
    });
  }
  const required = meta?.role;
  if (required === undefined || required === 'public') {
    throw new TRPCError({ code: 'FORBIDDEN', message: `${path} declares no role; refusing it` });
  }
  if (!hasRole(principal.role, required)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `${path} needs the ${required} role; ${actorName(principal)} is ${principal.role}` });
  }
  // Cookies ride along on cross-site requests; the token in a header proves the page is ours (synchronizer token).
  if (type === 'mutation' && principal.via === 'session' && !sameSecret(ctx.request.csrfToken, principal.csrfToken)) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `missing or wrong CSRF token: send the ${CSRF_HEADER} header with the csrfToken from auth.login or auth.me`,
    });
  }
  return next({ ctx: { principal } });
});

/** Callable without credentials: only sign-in. */
export const publicProcedure = base.meta({ role: 'public' });
export const viewerProcedure = authenticated.meta({ role: 'viewer' });
export const operatorProcedure = authenticated.meta({ role: 'operator' });
export const adminProcedure = authenticated.meta({ role: 'admin' });
