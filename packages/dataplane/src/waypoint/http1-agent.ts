/**
 * HTTP/1.1 to endpoints over HBONE, with keep-alive: an http.Agent whose connections are CONNECT
 * streams opened through the shared HBONE pool (many streams share one mTLS session per node),
 * kept per endpoint (`ip:port`) and reused for later requests.
 */
import http, { type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoints';
import type { EndpointConnector } from './tunnel-transport';

/** http.request options for the tunnel agent: `host`/`port` name the endpoint, `endpoint` says how to reach it. */
export interface TunnelRequestOptions extends http.RequestOptions {
  endpoint: Endpoint;
}

export interface TunnelAgentOptions {
  /** Connections kept per endpoint (busy and idle). */
  maxConnectionsPerEndpoint: number;
  /** An idle connection is closed after this long (shorter than backends' own keep-alive, 5 s in Node). */
  idleTimeoutMs: number;
}

// A backend that closes a kept-alive connection ends the stream; end ours too so it is dropped, not reused.
function endOnEnd(this: Duplex): void {
  this.end();
}

export class TunnelAgent extends http.Agent {
  constructor(
    private readonly connector: EndpointConnector,
    options: TunnelAgentOptions,
  ) {
    super({ keepAlive: true, maxSockets: options.maxConnectionsPerEndpoint, timeout: options.idleTimeoutMs, scheduling: 'lifo' });
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const done = callback as (error: Error | null, stream?: Duplex) => void;
    this.connector.open((options as TunnelRequestOptions).endpoint).then((transport) => {
      transport.once('end', endOnEnd);
      done(null, transport);
    }, done);
    return undefined;
  }
}
