import {
  buildMtlsAudit,
  buildTopology,
  type MtlsAuditTable,
  mtlsAuditToCsv,
  queryTopologyTelemetry,
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

/** How far back a replay may go: the embedded back end's default retention. */
const REPLAY_MS = 3_600_000;

const mtlsInput = z.strictObject({ window: windowInput });
const mtlsCsvInput = z.strictObject({
  window: windowInput,
  table: z.enum(['edges', 'workloads', 'namespaces', 'findings']).default('edges'),
});

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

export const topologyRouter = router({
  /** The live graph: nodes, de-duplicated edges with rate, errors, latency and security, health. */
  graph: viewerProcedure.input(graphInput).query(async ({ ctx, input }) => {
    // A replay time is clamped into the last hour: a stale link still opens, at the oldest time kept.
    const now = Date.now();
    const at = input.at === undefined ? undefined : Math.min(now, Math.max(now - REPLAY_MS, input.at));
    const { telemetry, backend } = await telemetryFor(ctx.services, WINDOW_SECONDS[input.window], at);
    const graph = buildTopology(telemetry, ctx.services.controlPlane.registry.snapshot(), {
      graphType: input.graphType,
      ...(input.namespaces ? { namespaces: input.namespaces } : {}),
    });
    return { ...graph, telemetryBackend: backend };
  }),
});

/** `audit.mtls*`: mesh, namespace and workload mTLS status, observed edges with principals, findings. */
export const mtlsAuditProcedures = {
  mtls: viewerProcedure.input(mtlsInput).query(async ({ ctx, input }) => {
    const { telemetry, backend } = await telemetryFor(ctx.services, WINDOW_SECONDS[input.window]);
    return { ...buildMtlsAudit(telemetry, ctx.services.controlPlane.registry.snapshot()), telemetryBackend: backend };
  }),
  /** One table of the report as CSV, for auditors. */
  mtlsCsv: viewerProcedure.input(mtlsCsvInput).query(async ({ ctx, input }) => {
    const { telemetry } = await telemetryFor(ctx.services, WINDOW_SECONDS[input.window]);
    const audit = buildMtlsAudit(telemetry, ctx.services.controlPlane.registry.snapshot());
    return { table: input.table, csv: mtlsAuditToCsv(audit, input.table satisfies MtlsAuditTable) };
  }),
};
