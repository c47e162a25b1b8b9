import { createHash, randomBytes } from 'node:crypto';
import type { BffDatabase } from '../database';
import type { Role } from './roles';

/** A signed-in browser: who, what they may do now (the user's current role), and its CSRF token. */
export interface Session {
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: number;
}

/** Sessions live this long after sign-in, however active; then the user signs in again. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Session ids are only stored hashed: a copy of bff.db does not let anyone in. */
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  private readonly statements;

  constructor(
    db: BffDatabase,
    readonly ttlMs: number,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      lookup: db.prepare<[string], { username: string; role: Role; csrf_token: string; expires_at: number }>(
        'SELECT s.username, u.role, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.username = s.username WHERE s.id_hash = ?',
      ),
      delete: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
      deleteUserExcept: db.prepare('DELETE FROM sessions WHERE username = ? AND id_hash != ?'),
      deleteExpired: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    };
  }

  create(username: string, now = Date.now()): { id: string; session: Session } {
    this.statements.deleteExpired.run(now);
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    this.statements.insert.run(hashId(id), username, csrfToken, now, now + this.ttlMs);
    const session = this.lookup(id, now);
    if (!session) throw new Error(`session for "${username}" vanished after insert`);
    return { id, session };
  }

  lookup(id: string, now = Date.now()): Session | undefined {
    const key = hashId(id);
    const row = this.statements.lookup.get(key);
    if (!row) return undefined;
    if (row.expires_at <= now) {
      this.statements.delete.run(key);
      return undefined;
    }
    return { username: row.username, role: row.role, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  revoke(id: string): void {
    this.statements.delete.run(hashId(id));
  }

  /** Signs the user out everywhere but here (after a password change). */
  revokeOthers(username: string, keepId = ''): void {
    this.statements.deleteUserExcept.run(username, keepId ? hashId(keepId) : '');
  }
}
