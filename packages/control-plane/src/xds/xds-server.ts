// The gRPC face of the xDS server: envoy.service.discovery.v3.AggregatedDiscoveryService with
// both StreamAggregatedResources (state of the world) and DeltaAggregatedResources (incremental).

import {
  type DeltaDiscoveryRequest,
  type DiscoveryRequest,
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  warmUpDiscoveryCodec,
} from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import { type Logger, pino } from 'pino';
import type { AdsConnection, ProxyStatus, StreamLimits, Transport } from './ads-connection';
import type { ProxyConfigDump } from './config-dump';
import type { DeltaConnection } from './delta-connection';
import { DiscoveryServer } from './discovery-server';
import { parseProxyInfo } from './proxy-info';
import type { DebounceOptions } from './push-debouncer';
import type { ResourceSource } from './resource-source';
import type { SotwConnection } from './sotw-connection';

const ADS_SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

function serverOnly(): Buffer {
  throw new Error('this definition serves ADS; it cannot be used as a client');
}

const passThrough = (bytes: Buffer): Buffer => bytes;

/** Server-side method definitions; responses are written pre-encoded (Buffer). */
export const aggregatedDiscoveryService = {
  StreamAggregatedResources: {
    path: `${ADS_SERVICE}StreamAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: serverOnly,
    requestDeserialize: decodeDiscoveryRequest,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
  DeltaAggregatedResources: {
    path: `${ADS_SERVICE}DeltaAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: serverOnly,
    requestDeserialize: decodeDeltaDiscoveryRequest,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
} satisfies grpc.ServiceDefinition;

export interface XdsServerOptions {
  /** Default 127.0.0.1; use 0.0.0.0 to serve other hosts. */
  host?: string;
  /** 0 picks a free port. Istio's plaintext xDS port is 15010. */
  port: number;
  source: ResourceSource;
  logger?: Logger;
  /** Default insecure (plaintext). */
  credentials?: grpc.ServerCredentials;
  debounce?: Partial<DebounceOptions>;
  limits?: Partial<StreamLimits>;
  controlPlaneId?: string;
  /** Extra grpc-js server options (message sizes, keepalive...). */
  grpcOptions?: grpc.ServerOptions;
}

export interface XdsServer {
  /** The bound port. */
  readonly port: number;
  /** The gRPC server, so other services (e.g. IstioCertificateService) share the port; grpc-js accepts addService after binding. */
  readonly server: grpc.Server;
  readonly discovery: DiscoveryServer;
  /** Closes every stream and the port. */
  stop(): Promise<void>;
  listProxies(): ProxyStatus[];
  /** What was last pushed to a connected proxy, per type, decoded to JSON; undefined when it is not connected. */
  configDump(proxyId: string): ProxyConfigDump | undefined;
  /** Prometheus text of pilot_xds_* metrics. */
  metricsText(): string;
}

export async function startXdsServer(options: XdsServerOptions): Promise<XdsServer> {
  const logger = options.logger ?? pino({ name: 'xds' });
  warmUpDiscoveryCodec();
  const discovery = new DiscoveryServer({
    source: options.source,
    logger,
    debounce: options.debounce,
    limits: options.limits,
    controlPlaneId: options.controlPlaneId,
  });
  const server = new grpc.Server({
    // A reconnecting ztunnel of a large mesh lists every resource it holds (grpc-js defaults to 4 MiB).
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    ...options.grpcOptions,
  });
  server.addService(aggregatedDiscoveryService, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, Buffer>) => serveStream('sotw', call, discovery, logger),
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, Buffer>) =>
      serveStream('delta', call, discovery, logger),
  });
  const host = options.host ?? '127.0.0.1';
  const address = host.includes(':') ? `[${host}]:${options.port}` : `${host}:${options.port}`;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, options.credentials ?? grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
  } catch (error) {
    discovery.close();
    throw error;
  }
  logger.info({ address: `${host}:${port}` }, 'xDS server listening');

  return {
    port,
    server,
    discovery,
    async stop() {
      discovery.close();
      server.forceShutdown();
    },
    listProxies: () => discovery.listProxies(),
    configDump: (proxyId) => discovery.configDump(proxyId),
    metricsText: () => discovery.metrics.render(),
  };
}

type AnyRequest = DiscoveryRequest | DeltaDiscoveryRequest;

/**
 * Runs one ADS stream. The first request must identify the proxy (node.id); any failure ends
 * only this stream with a status, never the server.
 */
function serveStream(
  transport: Transport,
  call: grpc.ServerDuplexStream<AnyRequest, Buffer>,
  discovery: DiscoveryServer,
  logger: Logger,
): void {
  let connection: AdsConnection | undefined;
  let ended = false;
  const peer = call.getPeer();
  const fail = (code: grpc.status, details: string): void => {
    if (ended) return;
    ended = true;
    connection?.close();
    call.emit('error', { code, details });
  };
  const release = (): void => {
    ended = true;
    connection?.close();
  };

  call.on('data', (request: AnyRequest) => {
    if (ended) return;
    try {
      if (!connection) {
        const proxy = parseProxyInfo(request.node);
        if (!proxy) {
          fail(grpc.status.INVALID_ARGUMENT, 'the first request of an ADS stream must carry node.id');
          return;
        }
        connection = discovery.connect(transport, proxy, peer, call);
      }
      if (transport === 'sotw') (connection as SotwConnection).handleRequest(request as DiscoveryRequest);
      else (connection as DeltaConnection).handleRequest(request as DeltaDiscoveryRequest);
    } catch (error) {
      logger.error({ err: error, peer, proxy: connection?.proxy.id }, 'failed to handle an ADS request; ending the stream');
      fail(grpc.status.INTERNAL, 'the control plane failed to handle the request');
    }
  });
  call.on('end', () => {
    release();
    call.end();
  });
  call.on('cancelled', release);
  call.on('close', release);
  // Required: an 'error' without a listener would crash the process.
  call.on('error', (error) => {
    logger.debug({ err: error, peer }, 'ADS stream error');
    release();
  });
}
