import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { UpstreamClient } from './upstream-client';
import { readWorkloadEnv, serviceAddress, type WorkloadEnv } from './workload-env';

/**
 * Ambit's implementations of Istio's Bookinfo services, so that the upstream sample runs
 * unchanged: productpage calls details and reviews; reviews v2 and v3 call ratings (v2 black stars,
 * v3 red). Each answers JSON naming the pod and version that served, plus what it got downstream.
 */
export type BookinfoRole = 'productpage' | 'details' | 'reviews' | 'ratings';

const FORWARDED_HEADERS = ['x-request-id', 'traceparent', 'baggage', 'end-user', 'user-agent', 'cookie'];

function propagate(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

async function call(client: UpstreamClient, service: string, path: string, request: IncomingMessage) {
  try {
    const { host, port } = serviceAddress(service);
    const response = await client.get(host, port, path, propagate(request));
    let body: unknown = response.body;
    try {
      body = JSON.parse(response.body);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body };
  } catch (error) {
    return { status: 503, error: error instanceof Error ? error.message : String(error) };
  }
}

export function startBookinfo(role: BookinfoRole, workload: WorkloadEnv) {
  const client = new UpstreamClient(workload.podIp);
  const served = { pod: workload.podName, service: role, version: workload.version };
  const handlers: Record<BookinfoRole, (request: IncomingMessage) => Promise<{ status: number; body: unknown }>> = {
    productpage: async (request) => {
      const [details, reviews] = await Promise.all([
        call(client, 'details', '/details/0', request),
        call(client, 'reviews', '/reviews/0', request),
      ]);
      const status = details.status < 500 && reviews.status < 500 ? 200 : 503;
      return { status, body: { ...served, product: { id: 0, title: 'The Comedy of Errors' }, details, reviews } };
    },
    details: async () => ({
      status: 200,
      body: { ...served, id: 0, author: 'William Shakespeare', year: 1595, type: 'paperback', pages: 200 },
    }),
    reviews: async (request) => {
      const reviews = [
        { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
        {
          reviewer: 'Reviewer2',
          text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
        },
      ];
      if (workload.version === 'v1') return { status: 200, body: { ...served, id: 0, reviews } };
      const ratings = await call(client, 'ratings', '/ratings/0', request);
      const color = workload.version === 'v2' ? 'black' : 'red';
      return { status: ratings.status < 500 ? 200 : 503, body: { ...served, id: 0, reviews, stars: color, ratings } };
    },
    ratings: async () => ({ status: 200, body: { ...served, id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } } }),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/health') return reply(response, 200, { status: 'ok' });
    handlers[role](request).then(
      ({ status, body }) => reply(response, status, body),
      (error: unknown) => reply(response, 500, { ...served, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.listen(workload.port, workload.podIp);
  server.on('close', () => client.close());
  return server;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const role = process.argv[2] as BookinfoRole;
  if (!['productpage', 'details', 'reviews', 'ratings'].includes(role)) {
    throw new Error(`usage: bookinfo.ts productpage|details|reviews|ratings (got ${String(role)})`);
  }
  startBookinfo(role, readWorkloadEnv());
}
