/**
 * HTTP/2 (h2c, gRPC) to endpoints over HBONE: one HTTP/2 session per endpoint inside one CONNECT
 * stream, multiplexing every request to that endpoint; a closed or refusing session is dropped
 * so the next request opens a fresh one.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Endpoint } from './endpoints';
import type { EndpointConnector } from './tunnel-transport';

export class Http2Upstream {
  private readonly sessions = new Map<string, Promise<ClientHttp2Session>>();
  private closed = false;

  constructor(private readonly connector: EndpointConnector) {}

  /** The session to `endpoint`, opening it on first use. */
  session(endpoint: Endpoint): Promise<ClientHttp2Session> {
    const key = `${endpoint.identity ?? ''} ${endpoint.authority}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.connect(endpoint);
      this.sessions.set(key, session);
      const forget = () => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      };
      session.then((s) => {
        s.once('close', forget);
        s.once('goaway', forget);
      }, forget);
    }
    return session;
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions.values())
      session.then(
        (s) => s.destroy(),
        () => undefined,
      );
    this.sessions.clear();
  }

  private async connect(endpoint: Endpoint): Promise<ClientHttp2Session> {
    const transport = await this.connector.open(endpoint);
    if (this.closed) {
      transport.destroy();
      throw new Error('the waypoint is stopping');
    }
    const session = http2.connect(`http://${endpoint.authority}`, { createConnection: () => transport });
    session.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('close', () => reject(new Error(`the HTTP/2 session to ${endpoint.authority} closed before it was up`)));
    });
    return session;
  }
}
