/**
 * A lean delta-ADS client for the benchmark: one gRPC connection and stream per client, as a
 * ztunnel has, subscribing to whole types. It decodes each response's envelope with the shared
 * codec (names and versions; resource bodies stay bytes), ACKs it at once, and notes when a
 * response carrying a given resource was ACKed. No reconnects, no state beyond counts.
 */
import {
  decodeDeltaDiscoveryResponse,
  encodeDeltaDiscoveryRequest,
  jsonToStruct,
  type NodeMessage,
  type ReceivedDeltaResponse,
} from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';

const DELTA_ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
const passThrough = (bytes: Buffer): Buffer => bytes;

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // One TCP connection per client, as separate ztunnels have; grpc-js would otherwise share one.
  'grpc.use_local_subchannel_pool': 1,
  // A full workload view of 10,000 pods is several MiB.
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
};

interface Watch {
  typeUrl: string;
  resourceName: string;
  resolve(ackedAt: number): void;
}

export class BenchDeltaClient {
  /** Resources received per type (added or updated), removals subtracted. */
  readonly held = new Map<string, number>();
  bytesReceived = 0;
  responses = 0;
  private readonly channel: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly unsynced: Set<string>;
  private syncWaiter: { resolve(): void; reject(error: Error): void } | undefined;
  private watch: Watch | undefined;
  private ended: string | undefined;

  constructor(
    address: string,
    readonly node: { id: string; nodeName: string },
    typeUrls: readonly string[],
  ) {
    this.unsynced = new Set(typeUrls);
    this.channel = new grpc.Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.call = this.channel.makeBidiStreamRequest(DELTA_ADS, passThrough, passThrough, new grpc.Metadata());
    this.call.on('data', (bytes: Buffer) => this.onResponse(bytes));
    this.call.on('status', (status: grpc.StatusObject) => this.onEnd(`stream ended: ${grpc.status[status.code]} ${status.details}`));
    this.call.on('error', () => undefined);
    const nodeMessage: NodeMessage = {
      id: node.id,
      metadata: jsonToStruct({ AMBIT_PROXY_KIND: 'ztunnel', NODE_NAME: node.nodeName }),
      userAgentName: 'ambit-bench',
    };
    typeUrls.forEach((typeUrl, i) => {
      this.call.write(encodeDeltaDiscoveryRequest({ ...(i === 0 ? { node: nodeMessage } : {}), typeUrl }));
    });
  }

  /** Resolves when every subscribed type has had a response, and it was ACKed. */
  synced(timeoutMs: number): Promise<void> {
    if (this.unsynced.size === 0) return Promise.resolve();
    if (this.ended) return Promise.reject(new Error(this.ended));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.node.id} not synced after ${timeoutMs} ms`)), timeoutMs);
      this.syncWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Resolves with performance.now() at the ACK of the next response of `typeUrl` that carries `resourceName`. */
  ackOf(typeUrl: string, resourceName: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watch = undefined;
        reject(new Error(`${this.node.id} got no ${resourceName} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watch = {
        typeUrl,
        resourceName,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }

  /** Resources held per type, by the message's short name (`Address`, `Authorization`). */
  heldByType(): Record<string, number> {
    return Object.fromEntries([...this.held].map(([typeUrl, count]) => [typeUrl.slice(typeUrl.lastIndexOf('.') + 1), count]));
  }

  close(): void {
    this.ended ??= 'closed';
    this.call.cancel();
    this.channel.close();
  }

  private onResponse(bytes: Buffer): void {
    this.responses++;
    this.bytesReceived += bytes.length;
    const response: ReceivedDeltaResponse = decodeDeltaDiscoveryResponse(bytes);
    this.call.write(encodeDeltaDiscoveryRequest({ typeUrl: response.typeUrl, responseNonce: response.nonce }));
    const ackedAt = performance.now();
    this.held.set(response.typeUrl, (this.held.get(response.typeUrl) ?? 0) + response.resources.length - response.removedResources.length);
    if (this.unsynced.delete(response.typeUrl) && this.unsynced.size === 0) {
      this.syncWaiter?.resolve();
      this.syncWaiter = undefined;
    }
    const watch = this.watch;
    if (watch && watch.typeUrl === response.typeUrl && response.resources.some((resource) => resource.name === watch.resourceName)) {
      this.watch = undefined;
      watch.resolve(ackedAt);
    }
  }

  private onEnd(reason: string): void {
    this.ended ??= reason;
    this.syncWaiter?.reject(new Error(`${this.node.id}: ${reason}`));
    this.syncWaiter = undefined;
  }
}
