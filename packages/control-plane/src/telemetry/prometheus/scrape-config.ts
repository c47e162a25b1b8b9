/**
 * A Prometheus scrape configuration for the proxies Ambit knows: one static target per ztunnel and
 * waypoint with the same `instance`/`proxy`/`node`/`waypoint` labels the embedded scraper gives,
 * so the topology shows each proxy's scrape health from either back end.
 */
import type { ScrapeTarget } from '../embedded-telemetry';

export interface ScrapeConfigOptions {
  /** Default 5 s, the embedded scraper's default. */
  intervalSeconds?: number;
  jobName?: string;
}

/** prometheus.yml text (JSON is YAML) scraping `targets`. */
export function prometheusScrapeConfig(targets: readonly ScrapeTarget[], options: ScrapeConfigOptions = {}): string {
  const interval = `${options.intervalSeconds ?? 5}s`;
  const staticConfigs = targets.map((target) => {
    const url = new URL(target.url);
    return {
      targets: [url.host],
      labels: { instance: target.name, ...target.labels, __metrics_path__: url.pathname, __scheme__: url.protocol.replace(':', '') },
    };
  });
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: options.jobName ?? 'ambit-proxies', honor_labels: false, static_configs: staticConfigs }],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
