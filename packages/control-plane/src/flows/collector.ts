/**
 * Collects the flow records the proxies keep (their admin port's `/debug/flows`) into one bounded
 * window: the newest `maxFlows` records no older than `windowMs`. Proxies are found the way the
 * telemetry scraper finds them; each read asks for the records after the last sequence number seen
 * (the proxy numbers its records), so records sharing a millisecond are all read, each once. A
 * proxy that restarted (a new boot id, or its sequence behind the cursor) is read from its start.
 */
import type { FlowRecord } from '@ambit/shared/authz';
import type { MeshSnapshot } from '../registry/model';
import { proxyScrapeTargets } from '../telemetry/proxy-targets';
import type { FlowSourceStatus } from './types';
import { type FlowPage, parseFlowPage } from './wire';

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

export class FlowCollector {
  private records: FlowRecord[] = [];
  private readonly status = new Map<string, FlowSourceStatus>();
  /** Per proxy: its run and the newest sequence number read, so the next read asks only for newer records. */
  private readonly cursors = new Map<string, { boot: string; last: number }>();
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
    const cursor = this.cursors.get(target.name);
    const previous = this.status.get(target.name);
    try {
      let after = cursor?.last ?? 0;
      let page = await this.readPage(target, after);
      const restarted = cursor !== undefined && (page.boot !== cursor.boot || page.last < cursor.last);
      // Numbers after the cursor mean nothing in a new run: read that run from its start.
      if (restarted && after > 0) {
        after = 0;
        page = await this.readPage(target, after);
      }
      this.cursors.set(target.name, { boot: page.boot, last: page.last });
      const status: FlowSourceStatus = {
        name: target.name,
        url: target.url,
        ok: true,
        lastRead: this.now(),
        restarts: (previous?.restarts ?? 0) + (restarted ? 1 : 0),
        // Records the proxy's ring overwrote before this read reached them (a first read takes what is there).
        missed: (previous?.missed ?? 0) + (cursor ? Math.max(0, page.first - after - 1) : 0),
      };
      this.status.set(target.name, status);
      return page.flows;
    } catch (error) {
      const status: FlowSourceStatus = { name: target.name, url: target.url, ok: false, error: (error as Error).message };
      if (previous?.lastRead !== undefined) status.lastRead = previous.lastRead;
      if (previous?.restarts !== undefined) status.restarts = previous.restarts;
      if (previous?.missed !== undefined) status.missed = previous.missed;
      this.status.set(target.name, status);
      return [];
    }
  }

  private async readPage(target: FlowTarget, after: number): Promise<FlowPage> {
    const response = await this.fetch(`${target.url}?after=${after}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return parseFlowPage(await response.json(), target.name);
  }
}
