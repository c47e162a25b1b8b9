import http2 from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcCallError, GrpcChannel, GrpcCode, type GrpcStatus, unaryCall } from '../src/xds/grpc-channel';

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP/2 server on 127.0.0.1 that hands each stream to `onStream`; its sockets are returned for tests that stall them. */
async function h2Server(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void) {
  const server = http2.createServer();
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.on('stream', onStream);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, sockets };
}

function channel(port: number, options: Partial<ConstructorParameters<typeof GrpcChannel>[0]> = {}): GrpcChannel {
  const created = new GrpcChannel({ address: `127.0.0.1:${port}`, ...options });
  cleanups.push(() => created.close());
  return created;
}

describe('gRPC client over node:http2', () => {
  it('frames a unary call, sends metadata as headers and reads the status from the trailers', async () => {
    const seen: http2.IncomingHttpHeaders[] = [];
    const { port } = await h2Server((stream, headers) => {
      seen.push(headers);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const request = Buffer.concat(chunks);
        const body = Buffer.from(`echo:${request.subarray(5).toString()}`);
        const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        // Split mid-message: the client must reassemble it.
        stream.write(framed.subarray(0, 3));
        stream.end(framed.subarray(3));
      });
    });
    const response = await unaryCall(
      channel(port),
      '/pkg.Service/Call',
      { authorization: 'Bearer t0k' },
      Buffer.from('hi'),
      Date.now() + 5_000,
    );
    expect(response.toString()).toBe('echo:hi');
    expect(seen[0]).toMatchObject({
      ':method': 'POST',
      ':path': '/pkg.Service/Call',
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: 'Bearer t0k',
    });
    expect(Number(String(seen[0]?.['grpc-timeout']).slice(0, -1))).toBeGreaterThan(4_000);
  });

  it('reassembles a message spread over many DATA frames, split prefixes included', async () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    const { port } = await h2Server((stream) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const framed = Buffer.concat([Buffer.from([0, 0, 0x10, 0, 0]), big]);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        // Odd-sized writes: the prefix splits too, and HTTP/2 cuts the body into 16 KiB frames on top.
        for (let at = 0; at < framed.length; at += 50_001) stream.write(framed.subarray(at, at + 50_001));
        stream.end();
      });
    });
    const response = await unaryCall(channel(port), '/pkg.Service/Call', {}, Buffer.alloc(0), Date.now() + 5_000);
    expect(response.length).toBe(big.length);
    expect(response.equals(big)).toBe(true);
  });

  it.each([
    ['in the middle of a message body', Buffer.from([0, 0, 0, 0, 10, 1, 2, 3]), /ended 7 bytes short of a 10-byte message/],
    ['in the middle of a length prefix', Buffer.from([0, 0, 0]), /inside a message's length prefix \(3 of 5 bytes\)/],
  ])('fails a call whose stream ends %s as INTERNAL though the status says OK', async (_, fragment, details) => {
    const { port } = await h2Server((stream) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        // A whole message, then the start of one the server never finishes.
        stream.end(Buffer.concat([Buffer.from([0, 0, 0, 0, 2]), Buffer.from('ok'), fragment]));
      });
    });
    const failure = await unaryCall(channel(port), '/pkg.Service/Call', {}, Buffer.alloc(0), Date.now() + 5_000).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(GrpcCallError);
    expect(failure).toMatchObject({ code: GrpcCode.INTERNAL, details: expect.stringMatching(details) });
  });

  it('sends a far deadline as a grpc-timeout of at most 8 digits and keeps the call open until the server answers', async () => {
    const timeouts: unknown[] = [];
    const { port } = await h2Server((stream, headers) => {
      timeouts.push(headers['grpc-timeout']);
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 1, 42]));
      });
    });
    // 400 days: 11 digits in milliseconds, and beyond what one setTimeout can wait.
    const response = await unaryCall(channel(port), '/pkg.Service/Call', {}, Buffer.alloc(0), Date.now() + 400 * 86_400_000);
    expect([...response]).toEqual([42]);
    expect(timeouts).toEqual(['34560000S']);
  });

  it('reports a trailers-only error with its decoded message', async () => {
    const { port } = await h2Server((stream) => {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'node%20b%20may%20not' },
        { endStream: true },
      );
    });
    const failure = await unaryCall(channel(port), '/pkg.Service/Call', {}, Buffer.alloc(0), Date.now() + 5_000).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(GrpcCallError);
    expect(failure).toMatchObject({ code: GrpcCode.PERMISSION_DENIED, details: 'node b may not' });
  });

  it('gives up at the deadline when the server never answers', async () => {
    const { port } = await h2Server(() => undefined);
    const failure = await unaryCall(channel(port), '/pkg.Service/Call', {}, Buffer.alloc(0), Date.now() + 200).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: GrpcCode.DEADLINE_EXCEEDED });
  });

  it('notices a server that stopped answering keepalive pings and ends the open stream as UNAVAILABLE', async () => {
    let frozen = false;
    const { port } = await h2Server((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      // The server is cut off from now on (a vanished host): nothing more reaches it, so pings go unanswered.
      frozen = true;
    });
    // A relay in front of the server that drops every byte once frozen.
    const relay = net.createServer((client) => {
      const upstream = net.connect(port, '127.0.0.1');
      client.on('data', (chunk) => frozen || upstream.write(chunk));
      upstream.on('data', (chunk) => frozen || client.write(chunk));
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      cleanups.push(() => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => relay.close(resolve)));
    const relayPort = (relay.address() as AddressInfo).port;
    const status = await new Promise<GrpcStatus>((resolve) => {
      channel(relayPort, { keepaliveTimeMs: 100, keepaliveTimeoutMs: 200 }).call(
        '/pkg.Service/Stream',
        {},
        { onMessage: () => undefined, onEnd: resolve },
      );
    });
    expect(status.code).toBe(GrpcCode.UNAVAILABLE);
    expect(status.details).toMatch(/keepalive ping/);
  });

  it('reports a refused connection as UNAVAILABLE with the reason', async () => {
    const { port } = await h2Server(() => undefined);
    // A port that was free a moment ago and is closed now.
    const closedPort = port;
    await cleanups.pop()?.();
    const status = await new Promise<GrpcStatus>((resolve) => {
      channel(closedPort).call('/pkg.Service/Stream', {}, { onMessage: () => undefined, onEnd: resolve });
    });
    expect(status.code).toBe(GrpcCode.UNAVAILABLE);
    expect(status.details).toMatch(/ECONNREFUSED/);
  });
});
