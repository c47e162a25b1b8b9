import type { BffDatabase } from '../database';

/** What a mutation touched: an object of the mesh, a user or an API token. */
export interface AuditTarget {
  kind: string;
  namespace?: string;
  name: string;
}

/** One audit row: a mutation (or one object of a multi-object apply), who did it, and how it ended. */
export interface AuditEntry {
  id: number;
  /** Shared by the rows one call wrote (an apply of several objects). */
  requestId: string;
  time: string;
  actor: string;
  clientIp: string;
  procedure: string;
  target?: AuditTarget;
  before?: unknown;
  after?: unknown;
  /** Procedure-specific facts: the apply action, dry run, the revision reverted to. */
  detail?: Record<string, unknown>;
  outcome: 'success' | 'failure';
  error?: { code: string; message: string };
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  actor?: string;
  procedure?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  outcome?: 'success' | 'failure';
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** Entries older than this id (the previous page's `nextCursor`). */
  cursor?: number;
  limit: number;
}

interface AuditRow {
  id: number;
  request_id: string;
  time: string;
  actor: string;
  client_ip: string;
  procedure: string;
  target_kind: string | null;
  target_namespace: string | null;
  target_name: string | null;
  before: string | null;
  after: string | null;
  detail: string | null;
  outcome: 'success' | 'failure';
  error_code: string | null;
  error_message: string | null;
}

/** Keep the newest entries only, so that a flood of refused calls cannot fill the disk. */
export const DEFAULT_AUDIT_RETENTION = 100_000;
const PRUNE_EVERY = 1_000;

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    requestId: row.request_id,
    time: row.time,
    actor: row.actor,
    clientIp: row.client_ip,
    procedure: row.procedure,
    ...(row.target_kind && row.target_name !== null
      ? { target: { kind: row.target_kind, ...(row.target_namespace ? { namespace: row.target_namespace } : {}), name: row.target_name } }
      : {}),
    ...(row.before !== null ? { before: JSON.parse(row.before) as unknown } : {}),
    ...(row.after !== null ? { after: JSON.parse(row.after) as unknown } : {}),
    ...(row.detail !== null ? { detail: JSON.parse(row.detail) as Record<string, unknown> } : {}),
    outcome: row.outcome,
    ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
  };
}

/** The audit log in bff.db: appended by the audit middleware on every mutation, read by admins. */
export class AuditLog {
  private readonly insert;
  private readonly prune;
  private insertsSincePrune = 0;

  constructor(
    private readonly db: BffDatabase,
    private readonly retention = DEFAULT_AUDIT_RETENTION,
  ) {
    this.insert = db.prepare(
      'INSERT INTO audit (request_id, time, actor, client_ip, procedure, target_kind, target_namespace, target_name, before, after, detail, outcome, error_code, error_message) ' +
        'VALUES (@requestId, @time, @actor, @clientIp, @procedure, @targetKind, @targetNamespace, @targetName, @before, @after, @detail, @outcome, @errorCode, @errorMessage)',
    );
    this.prune = db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?');
  }

  record(entries: readonly NewAuditEntry[]): void {
    this.db.transaction(() => {
      for (const entry of entries) {
        this.insert.run({
          requestId: entry.requestId,
          time: entry.time,
          actor: entry.actor,
          clientIp: entry.clientIp,
          procedure: entry.procedure,
          targetKind: entry.target?.kind ?? null,
          targetNamespace: entry.target?.namespace || null,
          targetName: entry.target?.name ?? null,
          before: json(entry.before),
          after: json(entry.after),
          detail: json(entry.detail),
          outcome: entry.outcome,
          errorCode: entry.error?.code ?? null,
          errorMessage: entry.error?.message ?? null,
        });
      }
    })();
    this.insertsSincePrune += entries.length;
    if (this.insertsSincePrune >= PRUNE_EVERY) {
      this.insertsSincePrune = 0;
      this.prune.run(this.retention);
    }
  }

  /** Newest first; `nextCursor` is set when older entries remain. */
  list(filter: AuditFilter): { entries: AuditEntry[]; nextCursor?: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit + 1 };
    const equal = (column: string, key: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = @${key}`);
      params[key] = value;
    };
    equal('actor', 'actor', filter.actor);
    equal('procedure', 'procedure', filter.procedure);
    equal('target_kind', 'kind', filter.kind);
    equal('target_namespace', 'namespace', filter.namespace);
    equal('target_name', 'name', filter.name);
    equal('outcome', 'outcome', filter.outcome);
    if (filter.since !== undefined) {
      where.push('time >= @since');
      params.since = filter.since;
    }
    if (filter.until !== undefined) {
      where.push('time <= @until');
      params.until = filter.until;
    }
    if (filter.cursor !== undefined) {
      where.push('id < @cursor');
      params.cursor = filter.cursor;
    }
    const sql = `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.prepare<[Record<string, unknown>], AuditRow>(sql).all(params);
    const page = rows.slice(0, filter.limit).map(toEntry);
    const last = page[page.length - 1];
    return rows.length > filter.limit && last ? { entries: page, nextCursor: last.id } : { entries: page };
  }
}
