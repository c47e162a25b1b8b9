import type { ProxyStatus, TypeStatus } from './ads-connection';

/**
 * `proxy-status` as users read it: for each proxy and resource type, whether the proxy has what
 * was last sent (SYNCED), is still applying it (STALE, with how long), rejected it (NACK), or was
 * never sent anything (NOT SENT).
 */
export type SyncState = 'SYNCED' | 'STALE' | 'NACK' | 'NOT SENT';

export interface TypeSyncSummary {
  type: string;
  state: SyncState;
  versionSent?: string;
  versionAcked?: string;
  /** Milliseconds the oldest unanswered push has waited. */
  staleMs?: number;
  lastNack?: { message: string; version: string; at: string };
}

export interface ProxySyncSummary {
  id: string;
  kind: string;
  node?: string;
  transport: string;
  connectedAt: string;
  types: TypeSyncSummary[];
}

export function typeSyncState(status: TypeStatus): TypeSyncSummary {
  const nackIsLatest = status.lastNack !== undefined && (status.lastAckAt === undefined || status.lastNack.at >= status.lastAckAt);
  const state: SyncState = nackIsLatest ? 'NACK' : status.pending ? 'STALE' : status.versionSent === undefined ? 'NOT SENT' : 'SYNCED';
  return {
    type: status.type,
    state,
    ...(status.versionSent !== undefined ? { versionSent: status.versionSent } : {}),
    ...(status.versionAcked !== undefined ? { versionAcked: status.versionAcked } : {}),
    ...(status.pending ? { staleMs: status.pending.ageMs } : {}),
    ...(status.lastNack
      ? { lastNack: { message: status.lastNack.message, version: status.lastNack.version, at: new Date(status.lastNack.at).toISOString() } }
      : {}),
  };
}

export function summarizeProxies(proxies: readonly ProxyStatus[]): ProxySyncSummary[] {
  return proxies
    .map((p) => ({
      id: p.id,
      kind: p.kind,
      ...(p.nodeName ? { node: p.nodeName } : {}),
      transport: p.transport,
      connectedAt: new Date(p.connectedAt).toISOString(),
      types: p.types.map(typeSyncState).sort((a, b) => a.type.localeCompare(b.type)),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
