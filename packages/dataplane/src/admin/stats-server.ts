import { type MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../metrics/registry';
import { type HttpListener, listenHttp, notFound, reply } from './http-listener';

/** :15020 — Prometheus metrics at `/metrics` and, as Envoy and ztunnel also serve them, `/stats/prometheus`. */
export function startStatsServer(address: string, port: number, registry: MetricsRegistry): Promise<HttpListener> {
  return listenHttp(address, port, (request, response, url) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply(response, 405, 'text/plain; charset=utf-8', 'use GET\n');
      return;
    }
    if (url.pathname === '/metrics' || url.pathname === '/stats/prometheus')
      reply(response, 200, PROMETHEUS_CONTENT_TYPE, registry.render());
    else notFound(response, url);
  });
}
