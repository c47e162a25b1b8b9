import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A small HTTP server bound to one address, closed with every connection it holds. */

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

export interface HttpListener {
  readonly address: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export function listenHttp(address: string, port: number, handle: RequestHandler): Promise<HttpListener> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://admin');
    try {
      handle(request, response, url);
    } catch (error) {
      reply(response, 500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, () => {
      server.off('error', reject);
      const bound = server.address();
      resolve({
        address,
        port: typeof bound === 'object' && bound ? bound.port : port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

export function replyJson(response: ServerResponse, status: number, value: unknown): void {
  reply(response, status, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`);
}

export function notFound(response: ServerResponse, url: URL): void {
  reply(response, 404, 'text/plain; charset=utf-8', `no such path: ${url.pathname}\n`);
}
