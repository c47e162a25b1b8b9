import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Endpoint } from './endpoints';
import { Http1Upstream } from './http1-upstream';
import { type EndpointConnector, UpstreamConnectError } from './tunnel-transport';

class Backend extends Duplex {
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    // Answers every request at once.
    this.push('HTTP/1.1 204 No Content\r\n\r\n');
    done();
  }
}

const endpoint = new Endpoint('outbound|9080||reviews', '10.0.0.1:9080', '10.0.0.1', 9080, undefined, undefined, undefined);
let opened = 0;
const connector = {
  open: async () => {
    opened++;
    return new Backend();
  },
} as unknown as EndpointConnector;
const ignore = { onHead() {}, onData() {}, onEnd() {}, onFail() {} };
const settle = () => new Promise((resolve) => setImmediate(resolve));

let upstream: Http1Upstream | undefined;
afterEach(() => {
  upstream?.destroy();
  vi.useRealTimers();
});

describe('Http1Upstream', () => {
  it('reuses a finished connection for the next request to the same endpoint', async () => {
    opened = 0;
    upstream = new Http1Upstream(connector, { idleTimeoutMs: 4_000 });
    const first = await upstream.connect(endpoint);
    first.send('GET', '/', 'reviews', {}, 'none', ignore);
    await settle();
    expect(upstream.take(endpoint)).toBe(first);
    expect(upstream.take(endpoint)).toBeUndefined();
    expect(opened).toBe(1);
  });

  it('closes instead of reusing a connection idle longer than the idle timeout', async () => {
    upstream = new Http1Upstream(connector, { idleTimeoutMs: 4_000 });
    const connection = await upstream.connect(endpoint);
    connection.send('GET', '/', 'reviews', {}, 'none', ignore);
    await settle();
    connection.idleSince -= 5_000;
    expect(upstream.take(endpoint)).toBeUndefined();
    expect(connection.destroyed).toBe(true);
    expect(upstream.size()).toBe(0);
  });

  it('refuses a tunnel that was reset as it opened, instead of sending into it and waiting forever', async () => {
    const resetAtOnce = {
      open: async () => {
        const backend = new Backend();
        backend.destroy();
        return backend;
      },
    } as unknown as EndpointConnector;
    upstream = new Http1Upstream(resetAtOnce, { idleTimeoutMs: 4_000 });
    await expect(upstream.connect(endpoint)).rejects.toBeInstanceOf(UpstreamConnectError);
    expect(upstream.size()).toBe(0);
  });
});
