/**
 * How the benchmark times clients syncing: many connecting at once, new ones one after another
 * (with the lean client or the proxies' own AdsClient), and the check that a timed sync was whole.
 */
import { AdsClient } from '@ambit/dataplane/xds/index';
import { pino } from 'pino';
import { BenchDeltaClient } from './delta-client';
import { nodeName } from './mesh';

export interface SyncTarget {
  /** `host:port` of the xDS server. */
  address: string;
  typeUrls: readonly string[];
  /** Clients are spread over node-0 … node-(nodes-1), as ztunnels are. */
  nodes: number;
  timeoutMs: number;
}

/** `count` clients connect at once; each is timed from the start of the storm to ACKing its full view. */
export async function connectAll(target: SyncTarget, count: number, idPrefix: string) {
  const started = performance.now();
  const perClientMs: number[] = [];
  const clients: BenchDeltaClient[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(new BenchDeltaClient(target.address, { id: `${idPrefix}${i}`, nodeName: nodeName(i % target.nodes) }, target.typeUrls));
  }
  try {
    await Promise.all(clients.map((client) => client.synced(target.timeoutMs).then(() => perClientMs.push(performance.now() - started))));
  } catch (error) {
    for (const client of clients) client.close();
    throw error;
  }
  return { clients, allSyncedMs: performance.now() - started, perClientMs };
}

/** Opens `count` new clients one after another, each timed from opening its connection to ACKing its full view. */
export async function timeFullSyncs(target: SyncTarget, count: number, idPrefix: string) {
  const samples: number[] = [];
  let resources: Record<string, number> = {};
  let bytes = 0;
  for (let k = 0; k < count; k++) {
    const started = performance.now();
    const client = new BenchDeltaClient(target.address, { id: `${idPrefix}${k}`, nodeName: nodeName(k % target.nodes) }, target.typeUrls);
    try {
      await client.synced(target.timeoutMs);
      samples.push(performance.now() - started);
      resources = client.heldByType();
      bytes = client.bytesReceived;
    } finally {
      client.close();
    }
  }
  return { samples, resources, bytes };
}

/** The same with the proxies' own xDS client (packages/dataplane), which decodes every resource, and a sink that only counts. */
export async function timeAdsClientFullSyncs(target: SyncTarget, count: number) {
  const samples: number[] = [];
  let decoded = 0;
  for (let k = 0; k < count; k++) {
    decoded = 0;
    const started = performance.now();
    const client = new AdsClient({
      address: target.address,
      node: { id: `bench-ads-client-${k}`, kind: 'ztunnel', nodeName: nodeName(k % target.nodes) },
      subscriptions: [...target.typeUrls],
      sink: {
        apply: (_typeUrl, update) => {
          decoded += update.upserted.size;
        },
      },
      logger: pino({ level: 'silent' }),
      grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    });
    client.start();
    try {
      await client.whenSynced(target.timeoutMs);
      samples.push(performance.now() - started);
    } finally {
      client.close();
    }
  }
  return { samples, resourcesDecoded: decoded };
}

/** A sync that resolved on a partial view would time less work than a full sync: refuse to report it. */
export function assertSameView(who: string, held: Record<string, number>, expected: Record<string, number>): void {
  if (JSON.stringify(held) !== JSON.stringify(expected)) {
    throw new Error(`${who} synced ${JSON.stringify(held)}, but should hold ${JSON.stringify(expected)}`);
  }
}
