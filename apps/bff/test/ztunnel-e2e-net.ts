/**
 * Sockets for the ztunnel end-to-end test: an HTTP workload on its pod address, a client that
 * dials from its own, a plaintext client that names its destination with a PROXY header (as
 * out-of-mesh traffic reaches port 15006), a recording TCP relay, and a Prometheus text reader.
 */
import http from 'node:http';
import net, { type Socket } from 'node:net';

export interface HttpServer {
  close(): Promise<void>;
}

/** Answers `hello from <name>`, telling the client which address connected (`x-seen-client`). */
export function startHttpServer(address: string, port: number, name: string): Promise<HttpServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    response.setHeader('x-seen-client', request.socket.remoteAddress ?? '');
    response.end(`hello from ${name}`);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      }),
    );
  });
}

export interface HttpReply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request on a new connection from `localAddress` (the client pod's own address). */
export function httpGet(host: string, port: number, localAddress: string, path = '/'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, localAddress, path, agent: false, timeout: 5_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: response.headers }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${host}:${port} within 5 s`)));
    request.on('error', reject);
    request.end();
  });
}

/** A plain HTTP/1.1 request to `target` through a ztunnel's plaintext inbound port, from outside the mesh (127.0.0.1). */
export function plaintextThroughProxyHeader(host: string, port: number, target: { ip: string; port: number }): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('close', () => {
      const head = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString());
      if (head) resolve({ status: Number(head[1]) });
      else reject(new Error('the connection closed without an HTTP answer'));
    });
    socket.once('connect', () => {
      socket.write(`PROXY TCP4 127.0.0.1 ${target.ip} ${socket.localPort} ${target.port}\r\n`);
      socket.write(`GET / HTTP/1.1\r\nHost: ${target.ip}\r\nConnection: close\r\n\r\n`);
    });
  });
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, text: await response.text() };
}

/** Sum of the samples of `name` in Prometheus text whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      found[pair[1] as string] = pair[2] as string;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[2]);
  }
  return sum;
}

export interface TcpRelay {
  /** Every byte that went from clients to the target. */
  clientBytes(): Buffer;
  close(): Promise<void>;
}

/** A TCP relay on `address:port` to `target` that records what clients send: a wire tap between two nodes. */
export function startRelay(address: string, port: number, target: { host: string; port: number }): Promise<TcpRelay> {
  const recorded: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => recorded.push(Buffer.from(chunk)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, () =>
      resolve({
        clientBytes: () => Buffer.concat(recorded),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      }),
    );
  });
}
