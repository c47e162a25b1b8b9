/**
 * The `/debug/flows` answer of a proxy, checked at the boundary: `{ proxy, flows: FlowRecord[] }`.
 * A record without the required fields is dropped, not trusted; unknown fields are left out.
 */
import type { FlowRecord } from '@ambit/shared/authz';

const OPTIONAL_STRINGS = [
  'sourcePrincipal',
  'sourceWorkload',
  'destinationWorkload',
  'destinationService',
  'method',
  'path',
  'host',
  'policy',
] as const;

function recordOf(item: unknown, proxyName: string): FlowRecord | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  if (typeof o.time !== 'number' || (o.reporter !== 'ztunnel' && o.reporter !== 'waypoint')) return undefined;
  if (typeof o.sourceIp !== 'string' || typeof o.destinationIp !== 'string') return undefined;
  if (!Number.isInteger(o.destinationPort) || typeof o.allowed !== 'boolean') return undefined;
  const record: FlowRecord = {
    time: o.time,
    reporter: o.reporter,
    proxy: typeof o.proxy === 'string' ? o.proxy : proxyName,
    sourceIp: o.sourceIp,
    destinationIp: o.destinationIp,
    destinationPort: o.destinationPort as number,
    allowed: o.allowed,
  };
  for (const key of OPTIONAL_STRINGS) {
    const value = o[key];
    if (typeof value === 'string') record[key] = value;
  }
  if (Number.isInteger(o.ruleIndex)) record.ruleIndex = o.ruleIndex as number;
  return record;
}

export function parseFlowRecords(body: unknown, proxyName: string): FlowRecord[] {
  const flows = typeof body === 'object' && body !== null ? (body as { flows?: unknown }).flows : undefined;
  if (!Array.isArray(flows)) throw new Error('not a /debug/flows answer');
  const out: FlowRecord[] = [];
  for (const item of flows) {
    const record = recordOf(item, proxyName);
    if (record) out.push(record);
  }
  return out;
}
