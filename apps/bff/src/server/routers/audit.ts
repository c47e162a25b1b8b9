import {
  buildMtlsAudit,
  type MtlsAudit,
  mtlsAuditToCsv,
  mtlsAuditToJson,
  queryTopologyTelemetry,
  type TopologyTelemetry,
} from '@ambit/control-plane/topology';
import { z } from 'zod';
import type { BffServices } from '../context';
import { adminProcedure, router, viewerProcedure } from '../trpc';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, like 2025-01-31T12:00:00Z' });

const listInput = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  procedure: z.string().min(1).max(200).optional(),
  kind: z.string().min(1).max(100).optional(),
  namespace: z.string().min(1).max(63).optional(),
  name: z.string().min(1).max(253).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** The previous page's nextCursor. */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

/** The console's time windows (Kiali's 1m…1h), in seconds. */
const WINDOW_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600 } as const;
const windowInput = z.enum(['1m', '5m', '15m', '30m', '1h']).default('5m');

const mtlsReportInput = z.strictObject({ window: windowInput });
const mtlsExportInput = z.strictObject({
  window: windowInput,
  /** `json`: the whole report (every table, certificates included); `csv`: one table, `certificates` being the inventory. */
  format: z.enum(['json', 'csv']),
  table: z.enum(['edges', 'workloads', 'namespaces', 'findings', 'certificates']).default('edges'),
});

/** No telemetry back end (the BFF alone): the registry, the policies and the CA's ledger still make a report. */
function noTraffic(windowSeconds: number): TopologyTelemetry {
  return { at: Date.now(), windowSeconds, requests: [], durationBuckets: [], tcpSent: [], tcpReceived: [], tcpOpened: [], targets: [] };
}

/** The mTLS audit with the certificate inventory from the CA's issuance ledger. */
async function mtlsReport(services: BffServices, windowSeconds: number): Promise<{ audit: MtlsAudit; telemetryBackend: string | null }> {
  const telemetry = services.telemetry ? await queryTopologyTelemetry(services.telemetry, { windowSeconds }) : noTraffic(windowSeconds);
  const { registry, ca } = services.controlPlane;
  const audit = buildMtlsAudit(telemetry, registry.snapshot(), { certificates: ca.issuedCertificates() });
  return { audit, telemetryBackend: services.telemetry?.backend ?? null };
}

/** `audit.*`: the audit log (admin only), and the mTLS report with its certificate inventory (viewer). */
export const auditRouter = router({
  /** The mTLS report: status, edges, findings (certificates included) and every workload's certificate, rotation health and expiry. */
  mtlsReport: viewerProcedure.input(mtlsReportInput).query(async ({ ctx, input }) => {
    const { audit, telemetryBackend } = await mtlsReport(ctx.services, WINDOW_SECONDS[input.window]);
    return { ...audit, telemetryBackend };
  }),
  /** The report for auditors: the whole of it as JSON, or one table (certificates are their own table) as CSV. */
  mtlsExport: viewerProcedure.input(mtlsExportInput).query(async ({ ctx, input }) => {
    const { audit } = await mtlsReport(ctx.services, WINDOW_SECONDS[input.window]);
    const stamp = new Date(audit.timestamp).toISOString().replace(/[:.]/g, '-');
    return input.format === 'json'
      ? { filename: `ambit-mtls-audit-${stamp}.json`, contentType: 'application/json', text: mtlsAuditToJson(audit) }
      : { filename: `ambit-mtls-audit-${input.table}-${stamp}.csv`, contentType: 'text/csv', text: mtlsAuditToCsv(audit, input.table) };
  }),
  /** The audit log: newest first, filtered, paged with a cursor. */
  list: adminProcedure.input(listInput).query(({ ctx, input }) => {
    // Stored times are UTC ISO strings; normalise the bounds so they compare as text.
    const since = input.since ? new Date(input.since).toISOString() : undefined;
    const until = input.until ? new Date(input.until).toISOString() : undefined;
    return ctx.services.audit.list({ ...input, ...(since ? { since } : {}), ...(until ? { until } : {}) });
  }),
});
