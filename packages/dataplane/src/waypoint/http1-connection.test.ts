import { Duplex } from 'node:stream';
import type { HeaderRecord } from '@ambit/shared/routing';
import { describe, expect, it } from 'vitest';
import {
  type BodyFraming,
  type ConnectionOwner,
  Http1Connection,
  type Http1ResponseListener,
  InvalidRequestHeadError,
} from './http1-connection';

/** The upstream end of a connection: what the waypoint wrote, and a way to answer. */
class FakeUpstream extends Duplex {
  written = '';
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written += chunk.toString('latin1');
    done();
  }
  answer(text: string): void {
    this.push(Buffer.from(text, 'latin1'));
  }
}

class Owner implements ConnectionOwner {
  reused = 0;
  forgotten = 0;
  reuse(): void {
    this.reused++;
  }
  forget(): void {
    this.forgotten++;
  }
}

/** What the listener heard, in order. */
class Heard implements Http1ResponseListener {
  status: number | undefined;
  headers: HeaderRecord | undefined;
  body = '';
  trailers: HeaderRecord | undefined;
  ended = false;
  error: Error | undefined;
  onHead(status: number, headers: HeaderRecord): void {
    this.status = status;
    this.headers = headers;
  }
  pieces = 0;
  onData(chunk: Buffer): void {
    this.pieces++;
    this.body += chunk.toString();
  }
  onEnd(trailers: HeaderRecord | undefined, last: Buffer | undefined): void {
    if (last) this.body += last.toString();
    this.ended = true;
    this.trailers = trailers;
  }
  onFail(error: Error): void {
    this.error = error;
  }
}

function connect(): { upstream: FakeUpstream; owner: Owner; connection: Http1Connection } {
  const upstream = new FakeUpstream();
  const owner = new Owner();
  return { upstream, owner, connection: new Http1Connection({}, upstream, owner) };
}

function get(connection: Http1Connection, method = 'GET', framing: BodyFraming = 'none', headers: HeaderRecord = {}): Heard {
  const heard = new Heard();
  connection.send(method, '/reviews/1?x=1', 'reviews:9080', headers, framing, heard);
  return heard;
}

/** Lets the stream deliver what was pushed. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Http1Connection', () => {
  it('sends one request head and relays a Content-Length answer, then offers the connection for reuse', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection, 'GET', 'none', { 'x-request-id': 'abc', accept: ['a', 'b'] });
    await settle();
    expect(upstream.written).toBe(
      'GET /reviews/1?x=1 HTTP/1.1\r\nhost: reviews:9080\r\nx-request-id: abc\r\naccept: a\r\naccept: b\r\n\r\n',
    );
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Tag: x\r\nx-tag: y\r\n\r\nhello');
    await settle();
    expect(heard).toMatchObject({ status: 200, body: 'hello', ended: true, error: undefined });
    expect(heard.headers).toEqual({ 'content-length': '5', 'set-cookie': ['a=1', 'b=2'], 'x-tag': 'x, y' });
    expect(owner.reused).toBe(1);
    expect(connection.destroyed).toBe(false);
  });

  it('reads a chunked answer with trailers and skips interim 1xx answers', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection);
    upstream.answer(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\ngrpc-status: 0\r\n\r\n',
    );
    await settle();
    expect(heard).toMatchObject({ status: 200, body: 'abcde', ended: true, trailers: { 'grpc-status': '0' } });
    // The last piece read with the end travels with it.
    expect(heard.pieces).toBe(1);
    expect(owner.reused).toBe(1);
  });

  it('frames a request body of unknown length as chunks', async () => {
    const { upstream, connection } = connect();
    get(connection, 'POST', 'chunked');
    connection.write(Buffer.from('hello'));
    connection.write(Buffer.alloc(0));
    connection.end();
    await settle();
    expect(upstream.written).toBe(
      'POST /reviews/1?x=1 HTTP/1.1\r\nhost: reviews:9080\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
  });

  it('sends Content-Length 0 for a POST without a body, as Node does', async () => {
    const { upstream, connection } = connect();
    get(connection, 'POST', 'none');
    await settle();
    expect(upstream.written).toContain('content-length: 0\r\n');
  });

  it('takes no body after a HEAD answer that announces one, and keeps the connection', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection, 'HEAD');
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
    await settle();
    expect(heard).toMatchObject({ status: 200, body: '', ended: true });
    expect(owner.reused).toBe(1);
  });

  it('reads a body delimited by the connection closing and does not reuse it', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
    upstream.push(null);
    await settle();
    expect(heard).toMatchObject({ status: 200, body: 'until the end', ended: true, error: undefined });
    expect(owner.reused).toBe(0);
    expect(connection.destroyed).toBe(true);
  });

  it('does not reuse a connection whose answer came before the whole request body', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection, 'POST', 'length', { 'content-length': '10' });
    connection.write(Buffer.from('12345'));
    upstream.answer('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n');
    await settle();
    expect(heard).toMatchObject({ status: 413, ended: true });
    expect(owner.reused).toBe(0);
    expect(connection.destroyed).toBe(true);
  });

  it('never writes more or less body than the Content-Length it sent, nor a second framing header', async () => {
    const longer = connect();
    const heard = get(longer.connection, 'POST', 'length', { 'content-length': '3', 'transfer-encoding': 'chunked', host: 'evil' });
    longer.connection.write(Buffer.from('abcGET /admin HTTP/1.1\r\n\r\n'));
    await settle();
    expect(longer.upstream.written).toBe('POST /reviews/1?x=1 HTTP/1.1\r\nhost: reviews:9080\r\ncontent-length: 3\r\n\r\n');
    expect(heard.error).toBeInstanceOf(InvalidRequestHeadError);
    expect(longer.connection.destroyed).toBe(true);

    const shorter = connect();
    const cut = get(shorter.connection, 'POST', 'length', { 'content-length': '10' });
    shorter.connection.write(Buffer.from('abc'));
    shorter.connection.end();
    expect(cut.error).toBeInstanceOf(InvalidRequestHeadError);
    expect(shorter.connection.destroyed).toBe(true);

    expect(() => get(connect().connection, 'POST', 'length', { 'content-length': ['1', '2'] })).toThrow(InvalidRequestHeadError);
    expect(() => get(connect().connection, 'POST', 'length', { 'content-length': '-1' })).toThrow(InvalidRequestHeadError);
  });

  it('fails on a Content-Length next to Transfer-Encoding (request smuggling) and drops the connection', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    await settle();
    expect(heard.status).toBeUndefined();
    expect(heard.error?.message).toMatch(/HPE_/);
    expect(connection.destroyed).toBe(true);
    expect(owner.reused).toBe(0);
    expect(owner.forgotten).toBe(1);
  });

  it('fails on two different Content-Length values', async () => {
    const { upstream, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
    await settle();
    expect(heard.status).toBeUndefined();
    expect(heard.error?.message).toMatch(/HPE_/);
  });

  it('fails on a Transfer-Encoding that does not end in chunked', async () => {
    const { upstream, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 3\r\n\r\nabc');
    await settle();
    expect(heard.status).toBeUndefined();
    expect(heard.error).toBeDefined();
  });

  it('fails on invalid bytes in a header value or name and on a bad chunk size', async () => {
    for (const answer of [
      'HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX Bad: a\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    ]) {
      const { upstream, connection } = connect();
      const heard = get(connection);
      upstream.answer(answer);
      await settle();
      expect(heard.ended, JSON.stringify(answer)).toBe(false);
      expect(heard.error, JSON.stringify(answer)).toBeDefined();
      expect(connection.destroyed).toBe(true);
    }
  });

  it('drops a connection on which an answer arrives with no request', async () => {
    const { upstream, connection } = connect();
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    await settle();
    expect(connection.destroyed).toBe(true);
  });

  it('relays body pieces that arrive in separate reads as they come', async () => {
    const { upstream, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc');
    await settle();
    expect(heard).toMatchObject({ body: 'abc', ended: false });
    upstream.answer('def');
    await settle();
    expect(heard).toMatchObject({ body: 'abcdef', ended: true });
  });

  it('reports a connection that closes before the answer is complete', async () => {
    const { upstream, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    upstream.push(null);
    await settle();
    expect(heard).toMatchObject({ status: 200, body: 'abc', ended: false });
    expect(heard.error).toBeDefined();
  });

  it('refuses to send a header value with CR/LF or a path with spaces, writing nothing', async () => {
    const { upstream, connection } = connect();
    expect(() => get(connection, 'GET', 'none', { 'x-injected': 'a\r\nx-evil: 1' })).toThrow(InvalidRequestHeadError);
    expect(() => get(connection, 'GET', 'none', { 'bad name': 'a' })).toThrow(InvalidRequestHeadError);
    expect(() => connection.send('GET', '/a b', 'h', {}, 'none', new Heard())).toThrow(InvalidRequestHeadError);
    await settle();
    expect(upstream.written).toBe('');
  });

  it('carries a second request after the first on the same connection', async () => {
    const { upstream, owner, connection } = connect();
    const first = get(connection);
    upstream.answer('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
    await settle();
    const second = get(connection);
    upstream.answer('HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb');
    await settle();
    expect([first.status, first.body, second.status, second.body]).toEqual([200, 'a', 404, 'b']);
    expect(owner.reused).toBe(2);
  });

  it('reads a discarded answer to its end and reuses the connection', async () => {
    const { upstream, owner, connection } = connect();
    const heard = get(connection);
    upstream.answer('HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n');
    await settle();
    connection.discard();
    upstream.answer('5\r\nbusy!\r\n0\r\n\r\n');
    await settle();
    expect([heard.status, heard.body, heard.ended, connection.destroyed, owner.reused]).toEqual([503, '', false, false, 1]);
  });

  it('closes a connection whose discarded answer goes on past the byte limit', async () => {
    const upstream = new FakeUpstream();
    const owner = new Owner();
    const connection = new Http1Connection({}, upstream, owner, { bytes: 8, ms: 60_000 });
    get(connection);
    upstream.answer('HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n');
    await settle();
    connection.discard();
    upstream.answer('5\r\nbusy!\r\n');
    await settle();
    expect(connection.destroyed).toBe(false);
    upstream.answer('5\r\nbusy!\r\n');
    await settle();
    expect([connection.destroyed, owner.forgotten, owner.reused]).toEqual([true, 1, 0]);
  });

  it('closes a connection whose discarded answer never ends', async () => {
    const upstream = new FakeUpstream();
    const owner = new Owner();
    const connection = new Http1Connection({}, upstream, owner, { bytes: 1024, ms: 30 });
    get(connection);
    upstream.answer('HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    await settle();
    connection.discard();
    const closed = new Promise((resolve) => upstream.once('close', resolve));
    await closed;
    expect([connection.destroyed, owner.forgotten, owner.reused]).toEqual([true, 1, 0]);
  });
});
