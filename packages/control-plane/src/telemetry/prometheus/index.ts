export { PrometheusTelemetry, type PrometheusTelemetryOptions } from './prometheus-telemetry';
export { prometheusScrapeConfig, type ScrapeConfigOptions } from './scrape-config';
