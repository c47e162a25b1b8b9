/**
 * Telemetry: the one interface (TelemetrySource) through which the topology, the mTLS audit, the
 * canary analysis and the console read proxy metrics, the queries it answers (each one PromQL
 * expression), and its default back end, the embedded scraper with a bounded in-memory window.
 */
export { counterRate } from './counter-rate';
export {
  DEFAULT_MAX_SERIES,
  DEFAULT_RETENTION_MS,
  DEFAULT_SCRAPE_INTERVAL_MS,
  EmbeddedTelemetry,
  type EmbeddedTelemetryOptions,
  keepQueriedMetrics,
  type ScrapeTarget,
} from './embedded-telemetry';
export { type Exposition, type ExpositionSample, type MetricFamily, type MetricType, parseExposition, parseGoFloat } from './exposition';
export { type Bucket, bucketQuantile, parseBucketBound, sortedBucketQuantile } from './histogram-quantile';
export * from './istio-metrics';
export { PrometheusTelemetry, type PrometheusTelemetryOptions, prometheusScrapeConfig, type ScrapeConfigOptions } from './prometheus/index';
export { escapePromString, promDuration, selector, toPromQL } from './promql';
export { PROXY_METRICS_PORT, proxyScrapeTargets } from './proxy-targets';
export * from './query';
export type { StoreLimits, StoreStats } from './series-store';
export * from './source';
