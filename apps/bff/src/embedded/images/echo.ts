import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readWorkloadEnv, type WorkloadEnv } from './workload-env';

/**
 * `ambit/echo`: answers every request with JSON describing who answered (pod, namespace, service,
 * version) and what it saw (method, path, host, headers). Knobs, from env at start and changeable
 * at run time with `POST /_echo/config {"errorRate":0.2}`: ERROR_RATE (0..1, answered with
 * ERROR_STATUS, default 500), LATENCY_MS, STATUS (the normal status, default 200).
 */
export interface EchoKnobs {
  errorRate: number;
  errorStatus: number;
  latencyMs: number;
  status: number;
}

export function knobsFromEnv(env: NodeJS.ProcessEnv): EchoKnobs {
  return {
    errorRate: Number(env.ERROR_RATE ?? 0),
    errorStatus: Number(env.ERROR_STATUS ?? 500),
    latencyMs: Number(env.LATENCY_MS ?? 0),
    status: Number(env.STATUS ?? 200),
  };
}

export function validKnobs(value: unknown, current: EchoKnobs): EchoKnobs | string {
  if (typeof value !== 'object' || value === null) return 'expected a JSON object';
  const next = { ...current, ...(value as Partial<EchoKnobs>) };
  if (!(next.errorRate >= 0 && next.errorRate <= 1)) return 'errorRate must be between 0 and 1';
  if (!(next.latencyMs >= 0 && next.latencyMs <= 60_000)) return 'latencyMs must be between 0 and 60000';
  for (const field of ['status', 'errorStatus'] as const) {
    if (!Number.isInteger(next[field]) || next[field] < 100 || next[field] > 599) return `${field} must be an HTTP status code`;
  }
  return next;
}

export function startEcho(workload: WorkloadEnv, knobs: EchoKnobs) {
  let current = knobs;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/_echo/config' && request.method === 'POST') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        const next = validKnobs(parsed, current);
        if (typeof next === 'string') return reply(response, 400, { error: next });
        current = next;
        reply(response, 200, current);
      });
      return;
    }
    const failed = current.errorRate > 0 && Math.random() < current.errorRate;
    const answer = () =>
      reply(response, failed ? current.errorStatus : current.status, {
        pod: workload.podName,
        namespace: workload.namespace,
        service: workload.serviceName,
        version: workload.version,
        method: request.method,
        path: request.url,
        host: request.headers.host,
        headers: request.headers,
      });
    if (current.latencyMs > 0) setTimeout(answer, current.latencyMs);
    else answer();
  });
  server.keepAliveTimeout = 65_000;
  server.listen(workload.port, workload.podIp);
  return server;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startEcho(readWorkloadEnv(), knobsFromEnv(process.env));
}
