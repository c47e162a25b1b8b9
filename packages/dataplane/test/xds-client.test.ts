/**
 * The xDS client against a scripted ADS server (built here on the shared wire codecs), for what the
 * real control plane never does on purpose: refuse streams, send resources of the wrong type or
 * unreadable bytes, and check what exactly the client answers.
 */
import {
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  encodeDeltaDiscoveryResponse,
  encodeDiscoveryResponse,
  ipToBytes,
  packAddress,
  packEnvoyResource,
  structToJson,
  TypeUrl,
} from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyState } from '../src/state/proxy-state';
import { AdsClient, type AdsClientOptions } from '../src/xds/ads-client';
import type { ResourceUpdate, XdsSink } from '../src/xds/sink';
import { WorkloadStateSink } from '../src/xds/workload-state-sink';
import { waitFor } from './fixtures/wait';

type AnyRequest = DeltaDiscoveryRequest | DiscoveryRequest;

interface ScriptedStream {
  readonly openedAt: number;
  readonly metadata: grpc.Metadata;
  readonly requests: AnyRequest[];
  /** Writes raw bytes: an encoded response, or garbage. */
  write(bytes: Buffer): void;
  end(code: grpc.status, details: string): void;
}

/** An ADS server that records streams and requests and answers only what the test tells it to. */
async function startScriptedServer(options: { refuse?: { code: grpc.status; details: string } } = {}) {
  const streams: ScriptedStream[] = [];
  const passThrough = (bytes: Buffer): Buffer => bytes;
  const method = (name: string, decode: (bytes: Buffer) => AnyRequest) => ({
    path: `/envoy.service.discovery.v3.AggregatedDiscoveryService/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough,
    requestDeserialize: decode,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  });
  const handle = (call: grpc.ServerDuplexStream<AnyRequest, Buffer>) => {
    call.on('error', () => undefined);
    if (server.refuse) {
      streams.push({ openedAt: Date.now(), metadata: call.metadata, requests: [], write: () => undefined, end: () => undefined });
      call.emit('error', { code: server.refuse.code, details: server.refuse.details });
      return;
    }
    const stream: ScriptedStream = {
      openedAt: Date.now(),
      metadata: call.metadata,
      requests: [],
      write: (bytes) => call.write(bytes),
      end: (code, details) => call.emit('error', { code, details }),
    };
    streams.push(stream);
    call.on('data', (request: AnyRequest) => stream.requests.push(request));
  };
  const grpcServer = new grpc.Server();
  grpcServer.addService(
    {
      StreamAggregatedResources: method('StreamAggregatedResources', decodeDiscoveryRequest),
      DeltaAggregatedResources: method('DeltaAggregatedResources', decodeDeltaDiscoveryRequest),
    },
    { StreamAggregatedResources: handle, DeltaAggregatedResources: handle },
  );
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const server = {
    port,
    streams,
    refuse: options.refuse,
    stop: () => grpcServer.forceShutdown(),
    /** The `n`th stream (0-based), once it exists. */
    stream: (n: number) => waitFor(() => streams[n], `stream #${n}`),
    /** The next request on `stream` after the first `seen`, once it arrives. */
    request: <T extends AnyRequest>(stream: ScriptedStream, seen: number) =>
      waitFor(() => stream.requests[seen] as T | undefined, `request #${seen}`),
  };
  return server;
}

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scriptedServer(options?: Parameters<typeof startScriptedServer>[0]) {
  const server = await startScriptedServer(options);
  cleanups.push(() => server.stop());
  return server;
}

function startClient(options: Partial<AdsClientOptions> & Pick<AdsClientOptions, 'address'>): AdsClient {
  const client = new AdsClient({
    node: { id: 'ztunnel-node-a', kind: 'ztunnel', nodeName: 'node-a' },
    sink: { apply: () => undefined },
    backoff: { initialMs: 20, maxMs: 100 },
    logger: pino({ level: 'silent' }),
    ...options,
  });
  cleanups.push(() => client.close());
  client.start();
  return client;
}

const delta = (response: Partial<DeltaDiscoveryResponse> & Pick<DeltaDiscoveryResponse, 'typeUrl' | 'nonce'>) =>
  encodeDeltaDiscoveryResponse({ systemVersionInfo: '1', resources: [], removedResources: [], ...response });

const cart = packAddress({
  workload: { uid: 'Kubernetes//Pod/shop/cart-1', name: 'cart-1', namespace: 'shop', addresses: [ipToBytes('127.41.1.1')] },
});

describe('xDS client protocol', () => {
  it('introduces itself with the node identity the control plane reads and a fresh node token on every stream', async () => {
    const server = await scriptedServer();
    let issued = 0;
    startClient({
      address: `127.0.0.1:${server.port}`,
      node: { id: 'waypoint-1', kind: 'waypoint', nodeName: 'node-a', waypoint: 'shop/waypoint', metadata: { NAMESPACE: 'shop' } },
      token: async () => `token-${++issued}`,
    });

    const first = await server.stream(0);
    expect(first.metadata.get('authorization')).toEqual(['Bearer token-1']);
    await server.request(first, 4);
    const requests = first.requests as DeltaDiscoveryRequest[];
    expect(requests[0]?.node?.id).toBe('waypoint-1');
    expect(structToJson(requests[0]?.node?.metadata)).toEqual({
      AMBIT_PROXY_KIND: 'waypoint',
      NODE_NAME: 'node-a',
      WAYPOINT: 'shop/waypoint',
      NAMESPACE: 'shop',
    });
    // Only the stream's first request carries the node; every type is a wildcard, clusters first.
    expect(requests.slice(1).every((r) => !r.node)).toBe(true);
    expect(requests.map((r) => [r.typeUrl, r.resourceNamesSubscribe])).toEqual([
      [TypeUrl.cluster, ['*']],
      [TypeUrl.clusterLoadAssignment, ['*']],
      [TypeUrl.listener, ['*']],
      [TypeUrl.routeConfiguration, ['*']],
      [TypeUrl.waypointPolicy, ['*']],
    ]);

    first.end(grpc.status.UNAVAILABLE, 'control plane restarting');
    const second = await server.stream(1);
    expect(second.metadata.get('authorization')).toEqual(['Bearer token-2']);
  });

  it('retries with exponential backoff while the control plane refuses it, and reports why', async () => {
    const server = await scriptedServer({ refuse: { code: grpc.status.UNAVAILABLE, details: 'overloaded' } });
    const client = startClient({ address: `127.0.0.1:${server.port}`, backoff: { initialMs: 40, multiplier: 2, jitter: 0, maxMs: 160 } });

    await server.stream(4);
    const gaps = server.streams.slice(1, 5).map((s, i) => s.openedAt - (server.streams[i]?.openedAt ?? 0));
    // 40, 80, 160, then capped at 160 (timers never fire early; a loaded machine only adds).
    for (const [i, expected] of [40, 80, 160, 160].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(expected - 5);
    const status = client.status();
    expect(status).toMatchObject({ connected: false, synced: false, lastError: { message: 'UNAVAILABLE: overloaded' } });
    expect(status.attempts).toBeGreaterThanOrEqual(5);

    // Once the control plane answers, the client connects and the next loss starts over at 40 ms.
    server.refuse = undefined;
    const accepted = await server.stream(server.streams.length);
    await server.request(accepted, 1);
    accepted.write(delta({ typeUrl: TypeUrl.address, nonce: 'a' }));
    await waitFor(() => client.connected, 'the client to connect');
    accepted.end(grpc.status.UNAVAILABLE, 'gone again');
    await waitFor(() => client.status().state === 'backoff', 'the client to back off');
    expect((client.status().nextRetryAt ?? 0) - Date.now()).toBeLessThanOrEqual(40);
  });

  it('NACKs a response it cannot take, keeps its state, and reopens the stream on unreadable bytes', async () => {
    const server = await scriptedServer();
    const state = new ProxyState();
    // The workload API's two types only: the requests below are counted.
    const client = startClient({
      address: `127.0.0.1:${server.port}`,
      sink: new WorkloadStateSink({ state }),
      subscriptions: [TypeUrl.address, TypeUrl.authorization],
    });
    const stream = await server.stream(0);
    await server.request(stream, 1);

    stream.write(
      delta({ typeUrl: TypeUrl.address, nonce: 'n1', resources: [{ name: 'Kubernetes//Pod/shop/cart-1', version: 'v1', resource: cart }] }),
    );
    stream.write(delta({ typeUrl: TypeUrl.authorization, nonce: 'n2' }));
    const acks = [await server.request<DeltaDiscoveryRequest>(stream, 2), await server.request<DeltaDiscoveryRequest>(stream, 3)];
    expect(acks.map((r) => [r.typeUrl, r.responseNonce, r.errorDetail ?? null])).toEqual([
      [TypeUrl.address, 'n1', null],
      [TypeUrl.authorization, 'n2', null],
    ]);
    await client.whenSynced(1000);
    expect(state.workloadByIp('127.41.1.1')?.name).toBe('cart-1');

    // An Address response holding an Authorization is refused whole, with the reason.
    const web = packAddress({
      workload: { uid: 'Kubernetes//Pod/shop/web-1', name: 'web-1', namespace: 'shop', addresses: [ipToBytes('127.41.1.2')] },
    });
    stream.write(
      delta({
        typeUrl: TypeUrl.address,
        nonce: 'n3',
        resources: [
          { name: 'Kubernetes//Pod/shop/web-1', version: 'v1', resource: web },
          { name: 'shop/policy', version: 'v1', resource: { typeUrl: TypeUrl.authorization, value: new Uint8Array(0) } },
        ],
        removedResources: ['Kubernetes//Pod/shop/cart-1'],
      }),
    );
    const nack = await server.request<DeltaDiscoveryRequest>(stream, 4);
    expect(nack).toMatchObject({ typeUrl: TypeUrl.address, responseNonce: 'n3', errorDetail: { code: 3 } });
    expect(nack.errorDetail?.message).toBe('istio.workload.Address shop/policy holds a type.googleapis.com/istio.security.Authorization');
    expect(state.workloadByIp('127.41.1.1')?.name).toBe('cart-1');
    expect(state.workloadByIp('127.41.1.2')).toBeUndefined();

    // A type it never asked for is ignored, not answered: answering would subscribe to it.
    stream.write(
      encodeDeltaDiscoveryResponse({ systemVersionInfo: '1', typeUrl: TypeUrl.listener, nonce: 'n4', resources: [], removedResources: [] }),
    );
    await waitFor(() => client.lastError?.message.includes('not subscribed'), 'the unexpected type to be reported');
    expect(stream.requests).toHaveLength(5);

    // Bytes that are no response at all end the stream; the next one declares what the client holds.
    stream.write(Buffer.from('definitely not protobuf'));
    const next = await server.stream(1);
    const resubscribe = await server.request<DeltaDiscoveryRequest>(next, 0);
    expect(resubscribe.typeUrl).toBe(TypeUrl.address);
    expect(resubscribe.initialResourceVersions).toEqual({ 'Kubernetes//Pod/shop/cart-1': 'v1' });
    expect(client.status().lastError?.message).toMatch(/unreadable response/);
    expect(state.workloadByIp('127.41.1.1')?.name).toBe('cart-1');
  });

  it('over state of the world, ACKs with the new version, NACKs with the one it keeps, and reads absence as removal', async () => {
    const server = await scriptedServer();
    const updates: ResourceUpdate[] = [];
    const sink: XdsSink = {
      apply(_typeUrl, update) {
        for (const name of update.upserted.keys()) if (name === 'bad') throw new Error('listener bad: port 15001 is reserved');
        updates.push(update);
      },
    };
    startClient({ address: `127.0.0.1:${server.port}`, transport: 'sotw', sink, subscriptions: [TypeUrl.listener] });
    const stream = await server.stream(0);
    const subscribe = await server.request<DiscoveryRequest>(stream, 0);
    expect(subscribe).toMatchObject({ typeUrl: TypeUrl.listener, resourceNames: ['*'], versionInfo: '', responseNonce: '' });

    const listener = (name: string) => packEnvoyResource('envoy.config.listener.v3.Listener', { name });
    const sotw = (versionInfo: string, nonce: string, ...names: string[]): Buffer =>
      encodeDiscoveryResponse({
        versionInfo,
        nonce,
        typeUrl: TypeUrl.listener,
        resources: names.map(listener),
      } satisfies DiscoveryResponse);

    stream.write(sotw('v1', 'n1', 'a', 'b'));
    expect(await server.request(stream, 1)).toMatchObject({
      versionInfo: 'v1',
      responseNonce: 'n1',
      resourceNames: ['*'],
      errorDetail: null,
    });
    stream.write(sotw('v2', 'n2', 'a', 'b', 'bad'));
    const nack = await server.request<DiscoveryRequest>(stream, 2);
    expect(nack).toMatchObject({ versionInfo: 'v1', responseNonce: 'n2', errorDetail: { code: 3 } });
    expect(nack.errorDetail?.message).toBe('envoy.config.listener.v3.Listener update rejected: listener bad: port 15001 is reserved');
    stream.write(sotw('v3', 'n3', 'b', 'c'));
    expect(await server.request(stream, 3)).toMatchObject({ versionInfo: 'v3', responseNonce: 'n3' });

    // The sink heard of a and b, then of c and a's removal; b did not change and was not handed over again.
    expect(updates.map((u) => [[...u.upserted.keys()], u.removed])).toEqual([
      [['a', 'b'], []],
      [['c'], ['a']],
    ]);
  });
});
