/**
 * Collects the flow records the proxies keep (their admin port's `/debug/flows`) into one bounded
 * window: the newest `maxFlows` records no older than `windowMs`. Proxies are found the way the
 * telemetry scraper finds them; each read asks for the records after the last sequence number seen
 * (the proxy numbers its records), so records sharing a millisecond are all read, each once. A
 * proxy that restarted (a new boot id, or its sequence behind the cursor) is read from its start.
 * A proxy older than sequence numbers (no boot id) is read by time from the newest millisecond read, inclusive, skipping
 * the records of that millisecond already taken: nothing doubled, nothing lost but what its ring overwrote
 * (if it overwrote some of that millisecond's taken records, as many new ones are skipped; `missed` stays 0 for it).
 */
import type { FlowRecord } from '@ambit/shared/authz';
import type { MeshSnapshot } from '../registry/model';
import { proxyScrapeTargets } from '../telemetry/proxy-targets';
import type { FlowSourceStatus } from './types';
import { type FlowPage, parseFlowPage, type UnnumberedFlowPage } from './wire';

/** Istio's admin port on every proxy; in the embedded mesh it listens on the proxy's own loopback address. */
export const PROXY_ADMIN_PORT = 15000;
export const FLOWS_PATH = '/debug/flows';

export interface FlowTarget {
  name: string;
  url: string;
}

/** The admin address of every proxy the telemetry scraper reads (ztunnels at their node address, waypoint pods). */
export function proxyFlowTargets(snapshot: MeshSnapshot, adminPort = PROXY_ADMIN_PORT): FlowTarget[] {
  return proxyScrapeTargets(snapshot).map((t) => {
    const url = new URL(t.url);
    url.port = String(adminPort);
    url.pathname = FLOWS_PATH;
    return { name: t.name, url: url.toString() };
  });
}

export interface FlowCollectorOptions {
  targets: () => readonly FlowTarget[];
  /** Oldest record kept; default 15 minutes. */
  windowMs?: number;
  /** Records kept at most; default 50,000. */
  maxFlows?: number;
  /** Per proxy read; default 2,000 ms. */
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export const DEFAULT_FLOW_WINDOW_MS = 15 * 60_000;
export const DEFAULT_MAX_FLOWS = 50_000;

/** Where the next read of a proxy starts. */
type FlowCursor =
  /** A proxy that numbers its records: its run and the newest sequence number read. */
  | { boot: string; last: number }
  /** An older proxy: the newest record time read and how many records of that millisecond were taken. */
  | TimeCursor;

interface TimeCursor {
  boot?: undefined;
  time: number;
  taken: number;
}

interface FlowRead {
  flows: FlowRecord[];
  next: FlowCursor;
  restarted: boolean;
  /** Records the proxy's ring overwrote before this read reached them. */
  missed: number;
}

export class FlowCollector {
  private records: FlowRecord[] = [];
  private readonly status = new Map<string, FlowSourceStatus>();
  /** Per proxy: where its next read starts, so it asks only for newer records. */
  private readonly cursors = new Map<string, FlowCursor>();
  private readonly windowMs: number;
  private readonly maxFlows: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: FlowCollectorOptions) {
    this.windowMs = options.windowMs ?? DEFAULT_FLOW_WINDOW_MS;
    this.maxFlows = options.maxFlows ?? DEFAULT_MAX_FLOWS;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? fetch;
  }

  /** Reads every proxy once (concurrent callers share the read). */
  collect(): Promise<void> {
    this.inFlight ??= this.readAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Records newer than `sinceMs` (default: the whole window), oldest first. */
  flows(sinceMs?: number): FlowRecord[] {
    this.trim();
    const from = sinceMs ?? 0;
    return from <= 0 ? [...this.records] : this.records.filter((r) => r.time > from);
  }

  sources(): FlowSourceStatus[] {
    return [...this.status.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Adds records (from a read, or a test). */
  add(records: readonly FlowRecord[]): void {
    for (const r of records) this.records.push(r);
    this.records.sort((a, b) => a.time - b.time);
    this.trim();
  }

  private trim(): void {
    const oldest = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.records.length && (this.records[drop] as FlowRecord).time < oldest) drop++;
    const over = this.records.length - drop - this.maxFlows;
    if (over > 0) drop += over;
    if (drop > 0) this.records = this.records.slice(drop);
  }

  private async readAll(): Promise<void> {
    const targets = this.options.targets();
    const names = new Set(targets.map((t) => t.name));
    for (const name of this.status.keys()) if (!names.has(name)) this.status.delete(name);
    const batches = await Promise.all(targets.map((t) => this.read(t)));
    this.add(batches.flat());
  }

  private async read(target: FlowTarget): Promise<FlowRecord[]> {
    const previous = this.status.get(target.name);
    try {
      const read = await this.readAfter(target, this.cursors.get(target.name));
      this.cursors.set(target.name, read.next);
      const status: FlowSourceStatus = {
        name: target.name,
        url: target.url,
        ok: true,
        lastRead: this.now(),
        restarts: (previous?.restarts ?? 0) + (read.restarted ? 1 : 0),
        missed: (previous?.missed ?? 0) + read.missed,
      };
      this.status.set(target.name, status);
      return read.flows;
    } catch (error) {
      const status: FlowSourceStatus = { name: target.name, url: target.url, ok: false, error: (error as Error).message };
      if (previous?.lastRead !== undefined) status.lastRead = previous.lastRead;
      if (previous?.restarts !== undefined) status.restarts = previous.restarts;
      if (previous?.missed !== undefined) status.missed = previous.missed;
      this.status.set(target.name, status);
      return [];
    }
  }

  /** The records of one proxy newer than `cursor`, and where its next read starts. */
  private async readAfter(target: FlowTarget, cursor: FlowCursor | undefined): Promise<FlowRead> {
    let after = cursor?.boot !== undefined ? cursor.last : 0;
    // An older proxy ignores `after` and a newer one `since`: each answers a query it does not know with its whole ring.
    let page = await this.readPage(
      target,
      cursor !== undefined && cursor.boot === undefined ? `since=${cursor.time - 1}` : `after=${after}`,
    );
    // A new boot id, sequence numbers gone back, or a proxy up- or downgraded across sequence numbers.
    const restarted = cursor !== undefined && (page.boot !== cursor.boot || (page.boot !== undefined && page.last < after));
    // Numbers after the cursor mean nothing in a new run: read that run from its start.
    if (restarted && page.boot !== undefined && after > 0) {
      after = 0;
      page = await this.readPage(target, `after=${after}`);
    }
    if (page.boot === undefined) {
      const since = !restarted && cursor?.boot === undefined ? cursor : undefined;
      return { flows: unseenByTime(page.flows, since), next: timeCursor(page.flows, since), restarted, missed: 0 };
    }
    return {
      flows: page.flows,
      next: { boot: page.boot, last: page.last },
      restarted,
      // A first read takes what is there.
      missed: cursor ? Math.max(0, page.first - after - 1) : 0,
    };
  }

  private async readPage(target: FlowTarget, query: string): Promise<FlowPage | UnnumberedFlowPage> {
    const response = await this.fetch(`${target.url}?${query}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return parseFlowPage(await response.json(), target.name);
  }
}

/** An older proxy's answer to `since=<cursor.time - 1>`, less the records of `cursor.time` taken by the read before. */
function unseenByTime(flows: FlowRecord[], cursor: TimeCursor | undefined): FlowRecord[] {
  if (!cursor) return flows;
  let skip = cursor.taken;
  const fresh: FlowRecord[] = [];
  for (const record of flows) {
    // The ring answers oldest first, so the records of the cursor's millisecond taken before come first.
    if (record.time < cursor.time || (record.time === cursor.time && skip-- > 0)) continue;
    fresh.push(record);
  }
  return fresh;
}

/** The newest millisecond of an older proxy's answer and how many records of it the answer held. */
function timeCursor(flows: readonly FlowRecord[], previous: TimeCursor | undefined): TimeCursor {
  // The answer holds every record of the cursor's millisecond still in the ring, those taken before included.
  let time = previous?.time ?? 0;
  let taken = 0;
  for (const record of flows) {
    if (record.time > time) {
      time = record.time;
      taken = 1;
    } else if (record.time === time) taken++;
  }
  return { time, taken };
}
