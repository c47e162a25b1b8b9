import { type HttpListener, listenHttp, notFound, reply } from './http-listener';

/** Why the proxy is not ready yet; empty when it is. */
export type ReadinessCheck = () => string[];

/** :15021 — `/healthz/ready`: 200 once listening with certificates for every local workload, else 503 with the reasons. */
export function startReadinessServer(address: string, port: number, check: ReadinessCheck): Promise<HttpListener> {
  return listenHttp(address, port, (_request, response, url) => {
    if (url.pathname !== '/healthz/ready') {
      notFound(response, url);
      return;
    }
    const problems = check();
    if (problems.length === 0) reply(response, 200, 'text/plain; charset=utf-8', 'ready\n');
    else reply(response, 503, 'text/plain; charset=utf-8', `${problems.join('\n')}\n`);
  });
}
