import { describe, expect, it } from 'vitest';
import { HEAD_TIMEOUT_MS, Http1DownstreamConnection } from './http1-downstream';
import type { Http1Reply } from './http1-reply';
import type { Http1Request } from './http1-request';
import { FakeClient } from './test-fixtures';
import type { TunnelContext } from './tunnel-context';

/** A client that does not read yet: writes stay unconfirmed until `release`. */
class SlowClient extends FakeClient {
  private held: (() => void) | undefined;
  private reading = false;
  override _write(chunk: Buffer, encoding: BufferEncoding, done: () => void): void {
    if (this.reading) super._write(chunk, encoding, done);
    else this.held = () => super._write(chunk, encoding, done);
  }
  release(): void {
    this.reading = true;
    this.held?.();
  }
}

interface Seen {
  request: Http1Request;
  reply: Http1Reply;
  body: string;
  ended: boolean;
}

const CONTEXT = {} as TunnelContext;

/** A connection whose handler records each request and reads its body; `answer` replies. */
function open(options: { read?: boolean; client?: FakeClient } = {}) {
  const client = options.client ?? new FakeClient();
  const seen: Seen[] = [];
  const owner = { forgotten: 0, forget: () => owner.forgotten++ };
  const connection = new Http1DownstreamConnection(
    client,
    CONTEXT,
    (request, reply) => {
      const entry: Seen = { request, reply, body: '', ended: false };
      seen.push(entry);
      if (options.read === false) return;
      request.on('data', (chunk) => {
        entry.body += chunk.toString('latin1');
      });
      request.once('end', () => {
        entry.ended = true;
      });
    },
    { idleTimeoutMs: 5_000 },
    owner,
  );
  return { client, seen, owner, connection };
}

function answer(seen: Seen | undefined, status = 200, body = 'ok', headers: Record<string, string> = {}): void {
  if (!seen) throw new Error('no request to answer');
  seen.reply.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
  seen.reply.end(body);
}

/** Lets the streams deliver what was pushed and written. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The status lines the client received, in order. */
function statuses(written: string): string[] {
  return written.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];
}

describe('Http1DownstreamConnection', () => {
  it('reads a request with repeated headers joined by "," (as the shared matcher reads them), cookies by "; ", and answers with keep-alive', async () => {
    const { client, seen } = open();
    client.send('GET /a?b=1 HTTP/1.1\r\nHost: reviews:9080\r\nX-Multi: 1\r\nx-multi: 2\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n');
    await settle();
    const first = seen[0];
    expect(first?.request).toMatchObject({ method: 'GET', url: '/a?b=1', httpVersion: '1.1', httpVersionMajor: 1 });
    expect(first?.request.headers).toEqual({ host: 'reviews:9080', 'x-multi': '1,2', cookie: 'a=1; b=2' });
    expect(first?.ended).toBe(true);
    answer(first);
    await settle();
    expect(client.written).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ncontent-length: 2\r\nDate: .+ GMT\r\n/);
    expect(client.written).toContain('\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nok');
    expect(first?.reply.writableFinished).toBe(true);
    client.send('GET /second HTTP/1.1\r\nHost: reviews\r\n\r\n');
    await settle();
    expect(seen.map((s) => s.request.url)).toEqual(['/a?b=1', '/second']);
  });

  it('hands pipelined requests over at once and sends their replies in request order', async () => {
    const { client, seen } = open();
    client.send('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    expect(seen.map((s) => s.request.url)).toEqual(['/1', '/2', '/3']);
    const finished: string[] = [];
    for (const s of seen) s.reply.once('finish', () => finished.push(s.request.url));
    answer(seen[2], 200, 'three');
    answer(seen[1], 404, 'two');
    await settle();
    // Nothing goes out before the first reply.
    expect([client.written, finished]).toEqual(['', []]);
    answer(seen[0], 200, 'one');
    await settle();
    expect(statuses(client.written)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 200 OK']);
    expect(client.written.indexOf('one')).toBeLessThan(client.written.indexOf('two'));
    expect(client.written.indexOf('two')).toBeLessThan(client.written.indexOf('three'));
    expect(finished).toEqual(['/1', '/2', '/3']);
  });

  it('keeps a waiting reply streamed in pieces, and a 100 Continue of a pipelined request, until its turn', async () => {
    const { client, seen } = open();
    client.send('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n');
    await settle();
    const second = seen[1]?.reply as Http1Reply;
    second.writeHead(200, {});
    expect(second.write(Buffer.from('abc'))).toBe(true);
    await settle();
    expect(client.written).toBe('');
    seen[0]?.reply.writeHead(200, { 'content-length': '3' });
    seen[0]?.reply.write(Buffer.from('one'));
    await settle();
    expect(client.written).toMatch(/^HTTP\/1\.1 200 OK\r\n.*\r\n\r\none$/s);
    seen[0]?.reply.end();
    client.send('x');
    second.end(Buffer.from('de'));
    await settle();
    expect(client.written).toMatch(/one(HTTP\/1\.1 100 Continue\r\n\r\n)HTTP\/1\.1 200 OK\r\n.*\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n$/s);
    expect(seen[1]?.body).toBe('x');
  });

  it('delivers Content-Length and chunked bodies, also when read only later', async () => {
    const { client, seen } = open({ read: false });
    client.send('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhel');
    client.send('lo');
    await settle();
    const first = seen[0] as Seen;
    let body = '';
    let ended = false;
    first.request.on('data', (chunk) => {
      body += chunk.toString();
    });
    first.request.once('end', () => {
      ended = true;
    });
    await settle();
    expect([body, ended]).toEqual(['hello', true]);
    answer(first);
    client.send('POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: t\r\n\r\n');
    await settle();
    const second = seen[1] as Seen;
    let chunked = '';
    second.request.on('data', (chunk) => {
      chunked += chunk.toString();
    });
    await new Promise<void>((resolve) => second.request.once('end', resolve));
    expect(chunked).toBe('abcde');
    expect(second.request.headers['x-trailer']).toBeUndefined();
  });

  it('pauses delivery of the body while the reader is paused', async () => {
    const { client, seen } = open({ read: false });
    client.send('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n');
    await settle();
    const request = (seen[0] as Seen).request;
    const pieces: string[] = [];
    request.on('data', (chunk) => {
      pieces.push(chunk.toString());
      request.pause();
    });
    await settle();
    client.send('1\r\nb\r\n0\r\n\r\n');
    await settle();
    expect(pieces).toEqual(['a']);
    request.resume();
    await settle();
    expect(pieces).toEqual(['a', 'b']);
  });

  it('stops reading the tunnel while a body piles up unread or too many pipelined replies are open', async () => {
    const { client, seen } = open({ read: false });
    client.send(`POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: ${100 * 1024}\r\n\r\n${'a'.repeat(100 * 1024)}`);
    await settle();
    expect(client.isPaused()).toBe(true);
    let read = 0;
    seen[0]?.request.on('data', (chunk) => {
      read += chunk.length;
    });
    await settle();
    expect([read, client.isPaused()]).toEqual([100 * 1024, false]);

    const many = open();
    many.client.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(40));
    await settle();
    expect([many.seen.length, many.client.isPaused()]).toEqual([32, true]);
    // Each answer makes room for one more waiting request (the loop sees them as they arrive).
    for (const s of many.seen) answer(s);
    await settle();
    expect([many.seen.length, many.client.isPaused()]).toEqual([40, false]);
    expect(statuses(many.client.written)).toHaveLength(40);
  });

  it('drops a body the handler never read, then serves the next request', async () => {
    const { client, seen } = open({ read: false });
    client.send('POST /denied HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n12345');
    await settle();
    answer(seen[0], 403, 'RBAC: access denied');
    client.send('67890GET /next HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    expect(seen.map((s) => `${s.request.method} ${s.request.url}`)).toEqual(['POST /denied', 'GET /next']);
  });

  it('answers Expect: 100-continue at once and refuses other expectations with 417', async () => {
    const { client, seen } = open();
    client.send('POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await settle();
    expect(client.written).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(seen[0]?.request.headers.expect).toBe('100-continue');
    client.send('hi');
    await settle();
    expect(seen[0]?.body).toBe('hi');
    answer(seen[0]);
    client.send('GET /b HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n');
    await settle();
    expect(statuses(client.written)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK', 'HTTP/1.1 417 Expectation Failed']);
    expect(seen).toHaveLength(1);
  });

  it('answers 400 and closes on an HTTP/1.1 request without Host, before any routing', async () => {
    const { client, seen } = open();
    client.send('GET / HTTP/1.1\r\n\r\n');
    await settle();
    expect(seen).toHaveLength(0);
    expect(client.written).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nconnection: close\r\n/);
    expect(client.writableEnded).toBe(true);
  });

  it('closes after a reply to Connection: close, and reads nothing after it', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    answer(seen[0]);
    await settle();
    expect(client.written).toContain('\r\nConnection: close\r\n');
    expect(client.writableEnded).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('speaks HTTP/1.0: closes after the reply unless asked to keep alive with a length', async () => {
    const plain = open();
    plain.client.send('GET /a HTTP/1.0\r\n\r\n');
    await settle();
    expect(plain.seen[0]?.request.httpVersion).toBe('1.0');
    // No Content-Length and no chunks for HTTP/1.0: the close ends the body.
    plain.seen[0]?.reply.writeHead(200, { 'content-type': 'text/plain' });
    plain.seen[0]?.reply.end('body');
    await settle();
    expect(plain.client.written).toMatch(/\r\nConnection: close\r\n\r\nbody$/);
    expect(plain.client.written).not.toContain('chunked');
    expect(plain.client.writableEnded).toBe(true);

    const kept = open();
    kept.client.send('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await settle();
    answer(kept.seen[0]);
    await settle();
    expect(kept.client.written).toContain('\r\nConnection: keep-alive\r\n');
    expect(kept.client.writableEnded).toBe(false);
  });

  it('frames a reply of unknown length as chunks, and sends no body to HEAD or with 204', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const reply = seen[0]?.reply as Http1Reply;
    reply.writeHead(200, { 'content-type': 'text/plain' });
    reply.write(Buffer.from('abc'));
    reply.end(Buffer.from('de'));
    await settle();
    expect(client.written).toMatch(/\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n$/);

    client.written = '';
    client.send('HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    answer(seen[1], 200, 'not sent');
    await settle();
    expect(client.written).toMatch(/content-length: 8\r\n.*\r\n\r\n$/s);

    client.written = '';
    client.send('DELETE /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    seen[2]?.reply.writeHead(204, {});
    seen[2]?.reply.end();
    await settle();
    expect(client.written).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(client.written).not.toMatch(/chunked|Content-Length/);
    expect(client.writableEnded).toBe(false);
  });

  it('sends no last chunk to HEAD even when the reply says it is chunked, so the next reply is read cleanly', async () => {
    const { client, seen } = open();
    client.send('HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    // A route's ResponseHeaderModifier can set Transfer-Encoding after the upstream's own was dropped.
    seen[0]?.reply.writeHead(200, { 'transfer-encoding': 'chunked' });
    seen[0]?.reply.end();
    answer(seen[1], 200, 'second');
    await settle();
    const [head, rest] = client.written.split('\r\n\r\n', 2);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(rest).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.written.endsWith('\r\n\r\nsecond')).toBe(true);
  });

  it('answers 431 to a head over 16 KiB', async () => {
    const { client, seen } = open();
    client.send(`GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    await settle();
    expect(seen).toHaveLength(0);
    expect(client.written).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
    expect(client.writableEnded).toBe(true);
  });

  it.each([
    [
      'Content-Length next to Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['two different Content-Length values', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a Transfer-Encoding that does not end in chunked', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n'],
    ['a control byte in a header value', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0001b\r\n\r\n'],
    ['a bare LF line ending', 'GET / HTTP/1.1\nHost: h\n\n'],
    ['an unknown method', 'FROB / HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['an HTTP/1.1 request line with a space in the target', 'GET /a b HTTP/1.1\r\nHost: h\r\n\r\n'],
  ])('answers 400 and closes on %s (no lenient parsing)', async (_name, text) => {
    const { client, seen } = open();
    client.send(text);
    await settle();
    expect(seen).toHaveLength(0);
    expect(client.written).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    expect(client.writableEnded).toBe(true);
  });

  it('answers 400 to a bad chunk in a body being read, and the request in progress hears the close', async () => {
    const { client, seen } = open();
    client.send('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n');
    await settle();
    let closed = false;
    seen[0]?.reply.once('close', () => {
      closed = true;
    });
    client.send('zz\r\n');
    await settle();
    expect([seen[0]?.body, seen[0]?.ended, closed]).toEqual(['ok', false, true]);
    expect(client.written).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  it('does not write a 400 into a reply already on its way, but resets the connection', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const reply = seen[0]?.reply as Http1Reply;
    reply.writeHead(200, {});
    reply.write(Buffer.from('partial'));
    let closed = false;
    reply.once('close', () => {
      closed = true;
    });
    client.send('GET /b HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n');
    await settle();
    expect(client.written).not.toContain('400');
    expect([client.destroyed, closed]).toEqual([true, true]);
  });

  it('closes the connection on CONNECT', async () => {
    const { client, seen, owner } = open();
    client.send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    await settle();
    expect([seen.length, client.destroyed, owner.forgotten]).toEqual([0, true, 1]);
  });

  it('tells an unfinished reply that the client left, and a finished one finishes', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const events: string[] = [];
    const first = seen[0]?.reply as Http1Reply;
    first.once('finish', () => events.push('finish'));
    answer(seen[0]);
    await settle();
    client.send('GET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const second = seen[1]?.reply as Http1Reply;
    second.once('close', () => events.push('close'));
    client.destroy();
    await settle();
    expect(events).toEqual(['finish', 'close']);
    expect(second.writableFinished).toBe(false);
  });

  it('refuses a reply header with CR/LF in its value, as Node does', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    expect(() => seen[0]?.reply.writeHead(200, { 'x-a': 'a\r\nx-injected: 1' })).toThrow(/Invalid character/);
    expect(() => seen[0]?.reply.writeHead(200, { 'bad name': 'a' })).toThrow(/valid HTTP token/);
  });

  // After the reply ends, a body still being read must keep honouring pause(), or a client can push a whole upload into a stalled upstream.
  it('keeps honouring pause() of a body still being read after its reply ended', async () => {
    const { client, seen } = open({ read: false });
    client.send('POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n');
    await settle();
    const request = seen[0]?.request;
    let delivered = 0;
    request?.on('data', (chunk) => {
      delivered += chunk.length;
      request.pause();
    });
    answer(seen[0], 200, 'early');
    await settle();
    const before = delivered;
    for (let i = 0; i < 16; i++) client.send('x'.repeat(64 * 1024));
    await settle();
    await settle();
    expect(delivered).toBe(before);
  });

  // The cap on open replies must hold for requests pipelined in one read.
  it('hands no more than the open-reply cap of requests pipelined in a single read to the handler', async () => {
    const { client, seen } = open({ read: false });
    client.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(500));
    await settle();
    expect(seen.length).toBeLessThanOrEqual(33);
  });

  it('drops the rest of a body being read once its reply has ended, and serves the next request', async () => {
    const { client, seen } = open();
    client.send('POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n12345');
    await settle();
    answer(seen[0], 413, 'too big');
    client.send('67890GET /next HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    expect([seen[0]?.body, seen[0]?.ended]).toEqual(['12345', false]);
    expect(seen.map((s) => s.request.url)).toEqual(['/upload', '/next']);
  });

  it('starts requests held past the cap in order as replies finish, and reads their bodies', async () => {
    const { client, seen } = open();
    client.send(`${'GET / HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(32)}POST /held HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody`);
    await settle();
    expect(seen).toHaveLength(32);
    answer(seen[0]);
    await settle();
    expect([seen.length, seen[32]?.request.url, seen[32]?.body, seen[32]?.ended]).toEqual([33, '/held', 'body', true]);
  });

  it('closes a connection whose Connection: close reply went out when the client never closes its side', async () => {
    const { client, seen, connection } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    await settle();
    // Answered later than the request was read (as after an upstream round trip).
    answer(seen[0]);
    await settle();
    expect([client.writableEnded, client.destroyed]).toEqual([true, false]);
    connection.checkTimeouts(performance.now() + 5_000 + 1_001);
    await settle();
    expect(client.destroyed).toBe(true);
  });

  it('answers 408 and closes when no request head arrives, or one trickles in, within the head deadline', async () => {
    const silent = open();
    silent.connection.checkTimeouts(performance.now() + 30_000);
    expect(silent.client.writableEnded).toBe(false);
    silent.connection.checkTimeouts(performance.now() + HEAD_TIMEOUT_MS + 1);
    await settle();
    expect(silent.client.written).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(silent.client.writableEnded).toBe(true);

    const trickle = open();
    trickle.client.send('GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /slow HTTP/1.1\r\n');
    await settle();
    answer(trickle.seen[0]);
    await settle();
    // Bytes keep coming (so the connection never looks idle), but the head never completes.
    trickle.client.send('X-A: 1\r\n');
    await settle();
    trickle.connection.checkTimeouts(performance.now() + HEAD_TIMEOUT_MS + 1);
    await settle();
    expect(statuses(trickle.client.written)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 408 Request Timeout']);
    expect(trickle.seen).toHaveLength(1);
  });

  it('leaves a keep-alive connection between requests to the idle timeout, not the head deadline', async () => {
    const { client, seen, connection } = open();
    client.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    answer(seen[0]);
    await settle();
    connection.checkTimeouts(performance.now() + 5_000);
    expect(client.writableEnded).toBe(false);
    connection.checkTimeouts(performance.now() + 5_000 + 1_001);
    expect(client.destroyed).toBe(true);
    expect(statuses(client.written)).toEqual(['HTTP/1.1 200 OK']);
  });

  it('refuses a status code outside 100–999 and trailers with CR/LF before writing anything', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const reply = seen[0]?.reply as Http1Reply;
    expect(() => reply.writeHead(99999, {})).toThrow(/Invalid status code/);
    expect(() => reply.addTrailers({ 'x-t': 'a\r\nx-injected: 1' })).toThrow(/Invalid character/);
    reply.writeHead(200, {});
    reply.write(Buffer.from('ok'));
    reply.end();
    await settle();
    expect(client.written).toMatch(/^HTTP\/1\.1 200 OK\r\n.*\r\n\r\n2\r\nok\r\n0\r\n\r\n$/s);
    expect(client.writableCorked).toBe(0);
  });

  it('forgets a refused head: the reply written next carries none of its headers or framing', async () => {
    const { client, seen } = open();
    client.send('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const reply = seen[0]?.reply as Http1Reply;
    expect(() => reply.writeHead(200, { connection: 'close', 'x-a': 'a\nb' })).toThrow(/Invalid character/);
    reply.writeHead(500, { 'content-length': '0' });
    reply.end();
    await settle();
    expect(client.written).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\ncontent-length: 0\r\n.*Connection: keep-alive\r\n/s);
    expect(client.writableEnded).toBe(false);
  });

  it('finishes a reply, and starts the idle clock, only once the tunnel has taken its last byte', async () => {
    const client = new SlowClient();
    const { seen, connection } = open({ client });
    client.send('GET /big HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const reply = seen[0]?.reply as Http1Reply;
    let finished = false;
    reply.once('finish', () => {
      finished = true;
    });
    reply.writeHead(200, { 'content-length': String(256 * 1024) });
    reply.write(Buffer.alloc(256 * 1024, 'a'));
    reply.end();
    await settle();
    await settle();
    expect([finished, reply.writableFinished, connection.idleSince]).toEqual([false, false, 0]);
    // A slow reader is not cut off by the idle sweep while its reply is still on its way.
    connection.checkTimeouts(performance.now() + 5_000 + 1_001);
    expect(client.destroyed).toBe(false);
    client.release();
    await settle();
    expect(finished).toBe(true);
    expect(connection.idleSince).toBeGreaterThan(0);
  });

  it('finishes a pipelined reply written whole while waiting its turn only once its bytes are taken', async () => {
    const client = new SlowClient();
    const { seen } = open({ client });
    client.send('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    const second = seen[1]?.reply as Http1Reply;
    second.writeHead(200, { 'content-length': '3' });
    second.write(Buffer.from('two'));
    answer(seen[0], 200, 'one');
    second.end();
    await settle();
    await settle();
    expect(second.writableFinished).toBe(false);
    client.release();
    await settle();
    expect(second.writableFinished).toBe(true);
    expect(statuses(client.written)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  });
});
