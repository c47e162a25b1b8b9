/**
 * HTTP/1.1 to endpoints over HBONE, with keep-alive: connections are CONNECT streams opened through
 * the shared HBONE pool (many streams share one mTLS session per node), kept per endpoint and
 * reused last-in first-out, so a quiet period lets the oldest ones age out.
 */
import type { Endpoint } from './endpoints';
import { type ConnectionOwner, Http1Connection } from './http1-connection';
import { type EndpointConnector, UpstreamConnectError } from './tunnel-transport';

export interface Http1UpstreamOptions {
  /** An idle connection is closed after this long (shorter than backends' own keep-alive, 5 s in Node). */
  idleTimeoutMs: number;
}

export class Http1Upstream implements ConnectionOwner {
  /** Idle connections per endpoint, the most recently used last. */
  private readonly idle = new Map<object, Http1Connection[]>();
  private readonly open = new Set<Http1Connection>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly connector: EndpointConnector,
    private readonly options: Http1UpstreamOptions,
  ) {
    // One timer for all idle connections instead of one per connection per request.
    this.sweeper = setInterval(this.sweep, Math.max(250, Math.floor(options.idleTimeoutMs / 4)));
    this.sweeper.unref();
  }

  /** An idle connection to `endpoint`, now taken; undefined when there is none. */
  take(endpoint: Endpoint): Http1Connection | undefined {
    const idle = this.idle.get(endpoint);
    if (!idle) return undefined;
    const stale = performance.now() - this.options.idleTimeoutMs;
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      // The sweep runs only now and then: one idle too long may be about to be closed by the backend.
      if (connection.idleSince > stale) return connection;
      connection.destroy();
    }
    return undefined;
  }

  /** A new connection to `endpoint`; rejects with UpstreamConnectError when the tunnel cannot be opened. */
  async connect(endpoint: Endpoint): Promise<Http1Connection> {
    const transport = await this.connector.open(endpoint);
    if (this.closed) {
      transport.destroy();
      throw new Error('the waypoint is stopping');
    }
    // Reset in the same read as its CONNECT answer: the close came before anyone listened for it.
    if (transport.destroyed || !transport.writable) {
      throw new UpstreamConnectError(`the tunnel to ${endpoint.authority} closed as it opened`);
    }
    const connection = new Http1Connection(endpoint, transport, this);
    this.open.add(connection);
    return connection;
  }

  reuse(connection: Http1Connection): void {
    if (this.closed) {
      connection.destroy();
      return;
    }
    connection.idleSince = performance.now();
    const idle = this.idle.get(connection.key);
    if (idle) idle.push(connection);
    else this.idle.set(connection.key, [connection]);
  }

  forget(connection: Http1Connection): void {
    this.open.delete(connection);
    const idle = this.idle.get(connection.key);
    if (!idle) return;
    const at = idle.indexOf(connection);
    if (at !== -1) idle.splice(at, 1);
    if (idle.length === 0) this.idle.delete(connection.key);
  }

  /** Connections open now (busy and idle). */
  size(): number {
    return this.open.size;
  }

  destroy(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const connection of [...this.open]) connection.destroy();
    this.idle.clear();
  }

  private readonly sweep = (): void => {
    const oldest = performance.now() - this.options.idleTimeoutMs;
    for (const idle of [...this.idle.values()]) {
      // Oldest first: stop at the first one still fresh.
      while (idle.length > 0 && (idle[0] as Http1Connection).idleSince <= oldest) (idle[0] as Http1Connection).destroy();
    }
  };
}
