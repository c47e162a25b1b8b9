import {
  type BuiltTopology,
  nodeDetails,
  queryTopologyTelemetry,
  RecentGraphs,
  settleTopology,
  type TopologyTelemetry,
} from '@ambit/control-plane/topology';
import { dnsLabel } from '@ambit/shared';
import { z } from 'zod';
import type { BffServices } from '../context';
import { router, viewerProcedure } from '../trpc';

/** The console's time windows (Kiali's 1m…1h), in seconds. */
const WINDOW_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600 } as const;
const windowInput = z.enum(['1m', '5m', '15m', '30m', '1h']).default('5m');

const graphInput = z.strictObject({
  window: windowInput,
  graphType: z.enum(['workload', 'versionedApp', 'app', 'service']).default('workload'),
  /** Only these namespaces (and what they talk to); omitted: all. */
  namespaces: z.array(dnsLabel).max(100).optional(),
  /** Evaluation time (ms since the epoch) within the last hour, to replay the past; omitted: now. */
  at: z.number().int().positive().optional(),
});

const nodeInput = graphInput.extend({ id: z.string().min(1).max(600) });

/** How far back a replay may go: the embedded back end's default retention. */
const REPLAY_MS = 3_600_000;

/**
 * Traffic over the window from the host's telemetry back end; without one (the BFF alone), the
 * graph and the audit come from the registry only — every node, no traffic — and
 * `telemetryBackend: null` tells the console so.
 */
async function telemetryFor(
  services: BffServices,
  windowSeconds: number,
  at?: number,
): Promise<{ telemetry: TopologyTelemetry; backend: string | null }> {
  if (services.telemetry) {
    const request = at === undefined ? { windowSeconds } : { windowSeconds, at };
    return { telemetry: await queryTopologyTelemetry(services.telemetry, request), backend: services.telemetry.backend };
  }
  const empty = {
    at: at ?? Date.now(),
    windowSeconds,
    requests: [],
    durationBuckets: [],
    tcpSent: [],
    tcpReceived: [],
    tcpOpened: [],
    targets: [],
  };
  return { telemetry: empty, backend: null };
}

interface BuiltGraph {
  /** The full graph and the canvas's view, each made on first ask. */
  built: BuiltTopology;
  backend: string | null;
}

/**
 * How long a built graph answers the same request again: the page's graph and side panel ask together, and each viewer
 * every 5 s; a live graph is at most this much older than a fresh build (telemetry moves with scrapes, seconds apart).
 */
export const GRAPH_LIFETIME_MS = 1_000;
const recentGraphs = new WeakMap<BffServices, RecentGraphs<BuiltGraph>>();

function graphsOf(services: BffServices): RecentGraphs<BuiltGraph> {
  let graphs = recentGraphs.get(services);
  if (!graphs) {
    graphs = new RecentGraphs({ lifetimeMs: GRAPH_LIFETIME_MS, maxEntries: 32 });
    recentGraphs.set(services, graphs);
  }
  return graphs;
}

function graphFor(services: BffServices, input: z.infer<typeof graphInput>): Promise<BuiltGraph> {
  // A replay time is clamped into the last hour: a stale link still opens, at the oldest time kept.
  const now = Date.now();
  const at = input.at === undefined ? undefined : Math.min(now, Math.max(now - REPLAY_MS, input.at));
  const snapshot = services.controlPlane.registry.snapshot();
  const key = `${input.window}|${input.graphType}|${input.namespaces?.join(',') ?? '*'}|${at ?? 'now'}`;
  return graphsOf(services).get(key, snapshot, async () => {
    const { telemetry, backend } = await telemetryFor(services, WINDOW_SECONDS[input.window], at);
    const built = settleTopology(telemetry, snapshot, {
      graphType: input.graphType,
      ...(input.namespaces ? { namespaces: input.namespaces } : {}),
    });
    return { built, backend };
  });
}

export const topologyRouter = router({
  /** The live graph: nodes, de-duplicated edges with rate, errors, latency and security, health. */
  graph: viewerProcedure.input(graphInput).query(async ({ ctx, input }) => {
    const { built, backend } = await graphFor(ctx.services, input);
    return { ...built.graph(), telemetryBackend: backend };
  }),
  /** The same graph with only what the console's canvas draws and filters by (a quarter of the bytes). */
  view: viewerProcedure.input(graphInput).query(async ({ ctx, input }) => {
    const { built, backend } = await graphFor(ctx.services, input);
    return { ...built.view(), telemetryBackend: backend };
  }),
  /** One node and its edges in full, for the console's side panel. */
  node: viewerProcedure.input(nodeInput).query(async ({ ctx, input }) => {
    const { id, ...graphOptions } = input;
    const { built } = await graphFor(ctx.services, graphOptions);
    return nodeDetails(built.graph(), id);
  }),
});
