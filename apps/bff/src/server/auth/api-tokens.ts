import { createHash, randomBytes } from 'node:crypto';
import { AmbitError } from '@ambit/shared';
import type { BffDatabase } from '../database';
import type { Role } from './roles';

/** An API token as the API shows it: never the secret. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The prefix makes a leaked token easy to recognise (secret scanners, logs). */
const TOKEN_PREFIX = 'ambit_';
/** lastUsedAt is a hint, not a log: write it at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

/** Tokens are 256 random bits, so a fast hash suffices at rest (no dictionary to guess from). */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function toToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at,
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
  };
}

/** Bearer tokens for the CLI and automation: each carries its own role, independent of who created it. */
export class ApiTokens {
  private readonly statements;

  constructor(db: BffDatabase) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO api_tokens (id, name, role, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      list: db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, id'),
      get: db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE id = ?'),
      byHash: db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?'),
      revoke: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      touch: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    };
  }

  /** Creates a token; the secret is in the result only, never stored. */
  create(input: { name: string; role: Role; createdBy: string; expiresAt?: Date }): { token: string; record: ApiToken } {
    const id = randomBytes(6).toString('hex');
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date().toISOString();
    this.statements.insert.run(
      id,
      input.name,
      input.role,
      hashToken(token),
      input.createdBy,
      createdAt,
      input.expiresAt?.toISOString() ?? null,
    );
    return { token, record: this.require(id) };
  }

  list(): ApiToken[] {
    return this.statements.list.all().map(toToken);
  }

  get(id: string): ApiToken | undefined {
    const row = this.statements.get.get(id);
    return row ? toToken(row) : undefined;
  }

  revoke(id: string): { before: ApiToken; after: ApiToken } {
    const before = this.require(id);
    if (before.revokedAt) return { before, after: before };
    this.statements.revoke.run(new Date().toISOString(), id);
    return { before, after: this.require(id) };
  }

  /** The live token with this secret: not revoked, not expired. */
  authenticate(token: string, now = Date.now()): ApiToken | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = this.statements.byHash.get(hashToken(token));
    if (!row || row.revoked_at || (row.expires_at && Date.parse(row.expires_at) <= now)) return undefined;
    if (!row.last_used_at || now - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
      row.last_used_at = new Date(now).toISOString();
      this.statements.touch.run(row.last_used_at, row.id);
    }
    return toToken(row);
  }

  private require(id: string): ApiToken {
    const token = this.get(id);
    if (!token) throw new AmbitError('NotFound', `API token "${id}" not found`, [{ path: 'id', message: `no API token with id "${id}"` }]);
    return token;
  }
}
