import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The control plane's monitoring port (Istio's 15014): Prometheus metrics, readiness, and the
 * debug views `ambit proxy-status` and the console read. Read-only: nothing here changes state.
 */
export interface MonitoringRoutes {
  /** Prometheus text exposition. */
  metrics(): string;
  ready(): boolean;
  /** JSON debug views by name: `/debug/<name>`. */
  debug: Record<string, () => unknown>;
}

export interface MonitoringServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMonitoringServer(routes: MonitoringRoutes, options: { host: string; port: number }): Promise<MonitoringServer> {
  const server: Server = createServer((request, response) => handle(routes, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(routes: MonitoringRoutes, request: IncomingMessage, response: ServerResponse): void {
  const [status, type, body] = answer(routes, request);
  send(response, status, type, body);
}

function answer(routes: MonitoringRoutes, request: IncomingMessage): [number, string, string] {
  if (request.method !== 'GET' && request.method !== 'HEAD') return [405, 'text/plain', 'only GET\n'];
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  try {
    if (path === '/metrics' || path === '/stats/prometheus') return [200, 'text/plain; version=0.0.4', routes.metrics()];
    if (path === '/healthz/ready' || path === '/ready')
      return routes.ready() ? [200, 'text/plain', 'ready\n'] : [503, 'text/plain', 'not ready\n'];
    const view = path.startsWith('/debug/') ? routes.debug[path.slice('/debug/'.length)] : undefined;
    if (view) return [200, 'application/json', `${JSON.stringify(view(), null, 2)}\n`];
    const known = ['/metrics', '/healthz/ready', ...Object.keys(routes.debug).map((k) => `/debug/${k}`)];
    return [404, 'text/plain', `not found; try ${known.join(', ')}\n`];
  } catch (error) {
    return [500, 'text/plain', `${error instanceof Error ? error.message : String(error)}\n`];
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
