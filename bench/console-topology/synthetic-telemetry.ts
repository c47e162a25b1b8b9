/**
 * A TelemetrySource for the console topology benchmark only: it answers the five topology queries with the
 * synthetic mesh's samples (as a Prometheus server would, already evaluated), so the benchmark measures the BFF,
 * buildTopology and the console rather than the embedded store (bench/topology.bench.ts measures that).
 */
import {
  type InstantOptions,
  type InstantVector,
  ISTIO_METRICS,
  type RangeMatrix,
  type TargetStatus,
  type TelemetryQuery,
  type TelemetrySource,
  type VectorSample,
} from '@ambit/control-plane/telemetry';
import type { TopologyTelemetry } from '@ambit/control-plane/topology';

export class SyntheticTelemetry implements TelemetrySource {
  readonly backend = 'synthetic';
  private readonly byMetric: ReadonlyMap<string, readonly VectorSample[]>;
  /** Evaluation times asked for: the replay check reads them. */
  readonly askedAt: number[] = [];

  constructor(telemetry: TopologyTelemetry) {
    this.byMetric = new Map([
      [ISTIO_METRICS.requests, telemetry.requests],
      [`${ISTIO_METRICS.requestDuration}_bucket`, telemetry.durationBuckets],
      [ISTIO_METRICS.tcpSentBytes, telemetry.tcpSent],
      [ISTIO_METRICS.tcpReceivedBytes, telemetry.tcpReceived],
      [ISTIO_METRICS.tcpOpened, telemetry.tcpOpened],
    ]);
  }

  async instant(query: TelemetryQuery, options: InstantOptions = {}): Promise<InstantVector> {
    const at = options.at ?? Date.now();
    this.askedAt.push(at);
    const metric = query.kind === 'quantile' ? `${query.histogram}_bucket` : query.metric;
    return { at, samples: this.byMetric.get(metric) ?? [] };
  }

  async range(): Promise<RangeMatrix> {
    return { timestamps: [], series: [] };
  }

  async targets(): Promise<readonly TargetStatus[]> {
    return [];
  }
}
