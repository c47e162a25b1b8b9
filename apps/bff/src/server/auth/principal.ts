import type { IncomingHttpHeaders } from 'node:http';
import type { ApiTokens } from './api-tokens';
import { readCookie, SESSION_COOKIE } from './cookies';
import type { Role } from './roles';
import type { SessionStore } from './sessions';

/** Who is calling, and how they proved it. */
export type Principal =
  | { kind: 'user'; name: string; role: Role; via: 'session'; sessionId: string; csrfToken: string; expiresAt: number }
  | { kind: 'token'; name: string; tokenId: string; role: Role; via: 'bearer' };

export interface Authentication {
  principal: Principal | null;
  /** Why credentials that were sent were refused; absent when none were sent. */
  problem?: string;
}

/** The name recorded as author and actor: `alice`, or `token:<name>` for API tokens. */
export function actorName(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return principal.kind === 'token' ? `token:${principal.name}` : principal.name;
}

/**
 * Resolves the caller from `Authorization: Bearer <token>` or the session cookie. A bearer
 * header wins: it is what the CLI sends, and a bad one is an error, never a fall-back to the cookie.
 */
export function authenticate(headers: IncomingHttpHeaders, sessions: SessionStore, tokens: ApiTokens): Authentication {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return { principal: null, problem: 'the Authorization header must be "Bearer <token>"' };
    const token = tokens.authenticate(match[1]);
    if (!token) return { principal: null, problem: 'the API token is unknown, revoked or expired' };
    return { principal: { kind: 'token', name: token.name, tokenId: token.id, role: token.role, via: 'bearer' } };
  }
  const sessionId = readCookie(headers.cookie, SESSION_COOKIE);
  if (!sessionId) return { principal: null };
  const session = sessions.lookup(sessionId);
  if (!session) return { principal: null, problem: 'the session has expired or was signed out; sign in again' };
  return {
    principal: {
      kind: 'user',
      name: session.username,
      role: session.role,
      via: 'session',
      sessionId,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    },
  };
}
