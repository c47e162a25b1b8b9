import { EventEmitter } from 'node:events';
import { constants as h2 } from 'node:http2';
import { type CompiledFilter, type CompiledRoute, prepareRouteTable } from '@ambit/shared/routing';
import { describe, expect, it } from 'vitest';
import { Exchange, type ProxyContext } from './exchange';
import type { Http1ResponseListener } from './http1-connection';
import { Http1DownstreamConnection } from './http1-downstream';
import { FakeClient } from './test-fixtures';
import type { TunnelContext } from './tunnel-context';

/** An upstream HTTP/1.1 connection that records what it was sent and answers when told. */
class FakeUpstream {
  listener: Http1ResponseListener | undefined;
  body = '';
  destroyed = false;
  send(_method: string, _path: string, _host: string, _headers: unknown, _framing: string, listener: Http1ResponseListener): void {
    this.listener = listener;
  }
  write(chunk: Buffer): boolean {
    this.body += chunk.toString('latin1');
    return true;
  }
  end(): void {}
  once(): this {
    return this;
  }
  pause(): void {}
  resume(): void {}
  destroy(): void {
    this.destroyed = true;
  }
  discard(): void {}
}

/** An upstream HTTP/2 stream that records the body it took and how it was closed. */
class FakeStream extends EventEmitter {
  body = '';
  closedWith: number | undefined;
  destroyed = false;
  write(chunk: Buffer): boolean {
    this.body += chunk.toString('latin1');
    return true;
  }
  end(): void {}
  pause(): void {}
  resume(): void {}
  close(code: number): void {
    this.closedWith = code;
    this.destroyed = true;
  }
}

const BACKEND = { group: '', kind: 'Service', name: 'reviews', namespace: 'default', port: 9080, weight: 1, filters: [] };
const SERVICE = { ports: [{ servicePort: 9080, appProtocol: 'HTTP11' }] };
const CONTEXT = {
  service: SERVICE,
  port: 9080,
  vip: '10.0.0.1',
  peer: { principal: 'spiffe://cluster.local/ns/default/sa/client', id: { namespace: 'default' } },
  source: undefined,
  sourceIp: '10.0.0.2',
  sourceAddress: '10.0.0.2:40000',
} as unknown as TunnelContext;

/** A waypoint whose one route has `filters`; HTTP/1.1 downstream, upstream faked. */
function waypoint(filters: CompiledFilter[], options: { backends?: boolean; appProtocol?: string } = {}) {
  const route: CompiledRoute = {
    match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
    source: { route: 'default/r', ruleIndex: 0, matchIndex: 0 },
    action: { type: 'Forward', backends: options.backends === false ? [] : [BACKEND], filters, timeouts: {} },
  };
  const table = prepareRouteTable([route]);
  const upstream = new FakeUpstream();
  const stream = new FakeStream();
  const records: { status: number; flags: string }[] = [];
  const backendService = { ports: [{ servicePort: 9080, appProtocol: options.appProtocol ?? 'HTTP11' }] };
  const proxy = {
    state: { serviceByHostname: () => backendService },
    routes: { policiesFor: () => [], routesFor: () => ({ table, faults: new Map() }) },
    endpoints: { pick: () => ({ address: '10.1.0.1', port: 9080 }), release: () => {} },
    http1: { take: () => upstream },
    http2: { session: async () => ({ request: () => stream }) },
    telemetry: { finish: (record: { status: number; flags: string }) => records.push(record) },
    domainSuffix: 'cluster.local',
    retryBufferBytes: 64 * 1024,
    random: () => 0,
    weightSequences: new WeakMap(),
  } as unknown as ProxyContext;
  const client = new FakeClient();
  new Http1DownstreamConnection(
    client,
    CONTEXT,
    (request, reply, context) => new Exchange(proxy, request, reply, context).start(),
    { idleTimeoutMs: 5_000 },
    { forget: () => {} },
  );
  return { client, upstream, stream, records };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function statuses(written: string): string[] {
  return written.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];
}

describe('Exchange over the HTTP/1.1 downstream', () => {
  it('answers 500 instead of crashing when a redirect hostname from config holds CR/LF, and serves the next request', async () => {
    const { client } = waypoint([{ type: 'RequestRedirect', hostname: 'evil.example\r\nset-cookie: a=1', statusCode: 302 }], {
      backends: false,
    });
    client.send('GET /a HTTP/1.1\r\nHost: reviews\r\n\r\n');
    await settle();
    expect(statuses(client.written)).toEqual(['HTTP/1.1 500 Internal Server Error']);
    expect(client.written).not.toContain('set-cookie');
    client.send('GET /b HTTP/1.1\r\nHost: reviews\r\n\r\n');
    await settle();
    expect(statuses(client.written)).toHaveLength(2);
  });

  it('answers 500 and drops the upstream answer when a response header value from config holds CR/LF', async () => {
    const { client, upstream, records } = waypoint([
      { type: 'ResponseHeaderModifier', set: [{ name: 'x-a', value: 'a\r\nset-cookie: a=1' }], add: [], remove: [] },
    ]);
    client.send('GET /a HTTP/1.1\r\nHost: reviews\r\n\r\n');
    await settle();
    upstream.listener?.onHead(200, { 'content-length': '2' });
    await settle();
    expect(statuses(client.written)).toEqual(['HTTP/1.1 500 Internal Server Error']);
    expect(client.written).not.toContain('set-cookie');
    expect(upstream.destroyed).toBe(true);
    expect(records.map((r) => r.status)).toEqual([500]);
  });

  it('stops sending a request body upstream once the answer is complete, and cancels the upstream request', async () => {
    const { client, stream } = waypoint([], { appProtocol: 'HTTP2' });
    client.send('POST /upload HTTP/1.1\r\nHost: reviews\r\nContent-Length: 1000\r\n\r\nfirst');
    await settle();
    await settle();
    expect(stream.body).toBe('first');
    stream.emit('response', { ':status': 413, 'content-length': '0' });
    stream.emit('end');
    await settle();
    expect(statuses(client.written)).toEqual(['HTTP/1.1 413 Payload Too Large']);
    expect(stream.closedWith).toBe(h2.NGHTTP2_CANCEL);
    client.send('more of the upload');
    await settle();
    expect(stream.body).toBe('first');
  });
});
