import type { AuditTarget } from './audit-log';

/** One target of a mutation, filled in by the handler as it learns the before and after. */
export interface AuditChange {
  target: AuditTarget;
  before?: unknown;
  after?: unknown;
  detail?: Record<string, unknown>;
}

/**
 * What one mutation call tells the audit middleware: the handler names its targets (before it
 * acts, so a failure is recorded against them too) and may change the actor (sign-in).
 */
export class AuditRecorder {
  readonly changes: AuditChange[] = [];
  detail: Record<string, unknown> | undefined;

  constructor(public actor: string) {}

  target(target: AuditTarget, change: Omit<AuditChange, 'target'> = {}): AuditChange {
    const entry: AuditChange = { target, ...change };
    this.changes.push(entry);
    return entry;
  }
}
