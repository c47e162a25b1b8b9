/**
 * The `/debug/flows?after=<sequence>` answer of a proxy, checked at the boundary:
 * `{ proxy, boot, first, last, flows: FlowRecord[] }` (the dataplane's FlowPage), or `{ proxy, flows }` from
 * a proxy older than that. A record without the required fields is dropped, not trusted; unknown fields are left out.
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

/** One page of a proxy's flow records: sequence numbers `first … last` of run `boot`. */
export interface FlowPage {
  boot: string;
  first: number;
  last: number;
  flows: FlowRecord[];
}

/** The answer of a proxy older than sequence numbers: `{ proxy, flows }`, paged only by `?since=<ms>` (exclusive). */
export interface UnnumberedFlowPage {
  boot?: undefined;
  flows: FlowRecord[];
}

export function parseFlowPage(body: unknown, proxyName: string): FlowPage | UnnumberedFlowPage {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { boot, first, last, flows } = o;
  // No boot id: a proxy older than sequence numbers. One that names a run must number its page.
  const numbered = typeof boot === 'string' && Number.isInteger(first) && Number.isInteger(last);
  if (!Array.isArray(flows) || (boot !== undefined && !numbered)) throw new Error('not a /debug/flows answer');
  const records: FlowRecord[] = [];
  for (const item of flows) {
    const record = recordOf(item, proxyName);
    if (record) records.push(record);
  }
  return numbered ? { boot: boot as string, first: first as number, last: last as number, flows: records } : { flows: records };
}
