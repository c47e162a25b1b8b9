/**
 * The xDS client against the REAL control-plane xDS server (MemoryResourceSource behind it): the
 * one dataplane test allowed to load control-plane code, to prove the two sides interoperate. It
 * loads control-plane/src/xds by relative path at run time — a static import would pull the
 * control plane's sources into the dataplane's TypeScript project, which must never depend on it —
 * and declares the few server shapes it uses below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Address,
  type Any,
  type Authorization,
  ipToBytes,
  packAddress,
  packAuthorization,
  packEnvoyResource,
  TypeUrl,
} from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProxyState } from '../src/state/proxy-state';
import { AdsClient, type AdsClientOptions } from '../src/xds/ads-client';
import type { EnvoyResource, ResourceUpdate, XdsSink } from '../src/xds/sink';
import { WorkloadStateSink } from '../src/xds/workload-state-sink';
import { waitFor } from './fixtures/wait';

interface MemoryResourceSource {
  set(name: string, resource: Any): void;
  delete(typeUrl: string, name: string): boolean;
}

interface ServerTypeStatus {
  typeUrl: string;
  resourceCount: number;
  versionSent?: string;
  versionAcked?: string;
  lastNack?: { message: string };
  acks: number;
  nacks: number;
}

interface ProxyStatus {
  id: string;
  kind: string;
  nodeName?: string;
  transport: 'sotw' | 'delta';
  proxy: { waypoint?: string };
  types: ServerTypeStatus[];
}

interface XdsServer {
  readonly port: number;
  stop(): Promise<void>;
  listProxies(): ProxyStatus[];
}

interface ControlPlaneXds {
  MemoryResourceSource: new () => MemoryResourceSource;
  startXdsServer(options: {
    port: number;
    source: MemoryResourceSource;
    logger?: Logger;
    debounce?: { quietMs: number; maxDelayMs: number };
    credentials?: grpc.ServerCredentials;
  }): Promise<XdsServer>;
}

const CONTROL_PLANE_XDS = '../../control-plane/src/xds/index';
const { MemoryResourceSource, startXdsServer } = (await import(/* @vite-ignore */ CONTROL_PLANE_XDS)) as ControlPlaneXds;

const silent = pino({ level: 'silent' });
// Tests shorten the reconnect backoff (default 0.5 s doubling to 30 s) so a restart resyncs fast.
const FAST_BACKOFF = { initialMs: 50, maxMs: 200 };
const HOST = 'cart.shop.svc.cluster.local';

interface SinkCall {
  typeUrl: string;
  upserted: string[];
  removed: string[];
}

/** Passes updates to `inner` (or keeps Envoy resources itself) and remembers each call. */
class RecordingSink implements XdsSink {
  readonly calls: SinkCall[] = [];
  readonly envoy = new Map<string, Map<string, EnvoyResource>>();

  constructor(private readonly inner?: XdsSink) {}

  apply(typeUrl: string, update: ResourceUpdate): void {
    if (this.inner) {
      this.inner.apply(typeUrl, update);
    } else {
      const held = this.envoy.get(typeUrl) ?? new Map<string, EnvoyResource>();
      this.envoy.set(typeUrl, held);
      for (const name of update.removed) held.delete(name);
      for (const [name, resource] of update.upserted) held.set(name, resource as EnvoyResource);
    }
    this.calls.push({ typeUrl, upserted: [...update.upserted.keys()].sort(), removed: [...update.removed].sort() });
  }

  callsSince(mark: number, typeUrl: string): SinkCall[] {
    return this.calls.slice(mark).filter((call) => call.typeUrl === typeUrl);
  }
}

function workload(name: string, ip: string): [string, Any] {
  const uid = `Kubernetes//Pod/shop/${name}`;
  const address: Address = {
    workload: {
      uid,
      name,
      namespace: 'shop',
      addresses: [ipToBytes(ip)],
      node: 'node-a',
      tunnelProtocol: 'HBONE',
      serviceAccount: 'cart',
      trustDomain: 'cluster.local',
      services: { [`shop/${HOST}`]: { ports: [{ servicePort: 80, targetPort: 8080 }] } },
    },
  };
  return [uid, packAddress(address)];
}

function service(vip: string): [string, Any] {
  return [
    `shop/${HOST}`,
    packAddress({
      service: { name: 'cart', namespace: 'shop', hostname: HOST, addresses: [{ address: ipToBytes(vip) }], ports: [{ servicePort: 80 }] },
    }),
  ];
}

function policy(name: string, action: Authorization['action'] = 'DENY'): [string, Any] {
  const authorization: Authorization = {
    name,
    namespace: 'shop',
    scope: 'NAMESPACE',
    action,
    rules: [{ clauses: [{ matches: [{ notPrincipals: [{ presence: {} }] }] }] }],
  };
  return [`shop/${name}`, packAuthorization(authorization)];
}

function fill(source: MemoryResourceSource, ...entries: [string, Any][]): MemoryResourceSource {
  for (const [name, resource] of entries) source.set(name, resource);
  return source;
}

function serverType(server: XdsServer, typeUrl: string): ServerTypeStatus | undefined {
  return server.listProxies()[0]?.types.find((type) => type.typeUrl === typeUrl);
}

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(source: MemoryResourceSource, port = 0, credentials?: grpc.ServerCredentials): Promise<XdsServer> {
  const server = await startXdsServer({ port, source, logger: silent, debounce: { quietMs: 5, maxDelayMs: 50 }, credentials });
  cleanups.push(() => server.stop());
  return server;
}

function startClient(options: Partial<AdsClientOptions> & Pick<AdsClientOptions, 'sink' | 'address'>): AdsClient {
  const client = new AdsClient({
    node: { id: 'ztunnel-node-a', kind: 'ztunnel', nodeName: 'node-a' },
    backoff: FAST_BACKOFF,
    logger: silent,
    ...options,
  });
  cleanups.push(() => client.close());
  client.start();
  return client;
}

describe('xDS client against the control plane', () => {
  it('syncs workloads, services and policies into the ztunnel state, then follows updates and removals', async () => {
    const source = fill(new MemoryResourceSource(), workload('cart-1', '127.31.1.1'), service('127.31.128.1'), policy('deny-plaintext'));
    const server = await serve(source);
    const state = new ProxyState();
    const client = startClient({ address: `127.0.0.1:${server.port}`, sink: new WorkloadStateSink({ state, node: 'node-a' }) });

    await client.whenSynced(5000);
    expect(state.workloadByIp('127.31.1.1')?.identity).toBe('spiffe://cluster.local/ns/shop/sa/cart');
    expect(state.serviceByVip('127.31.128.1', 80)?.hostname).toBe(HOST);
    expect(state.serviceAddressesOfNode('node-a').map((a) => a.address)).toEqual(['127.31.128.1']);
    expect(state.snapshot().policies.map((p) => `${p.namespace}/${p.name}:${p.action}`)).toEqual(['shop/deny-plaintext:DENY']);

    // The server knows who connected and holds the client's ACK of exactly what it sent.
    const proxy = await waitFor(() => {
      const found = server.listProxies()[0];
      return found?.types.every((t) => t.versionAcked !== undefined && t.versionAcked === t.versionSent) ? found : undefined;
    }, 'the server to record ACKs for both types');
    expect(proxy).toMatchObject({ id: 'ztunnel-node-a', kind: 'ztunnel', nodeName: 'node-a', transport: 'delta' });
    expect(serverType(server, TypeUrl.address)?.versionAcked).toBe(client.version(TypeUrl.address));
    expect(client.status()).toMatchObject({ connected: true, synced: true, state: 'connected' });
    expect(client.status().types.map((t) => [t.type, t.resourceCount])).toEqual([
      ['nds', 0],
      ['wds', 2],
      ['wads', 1],
    ]);

    source.set(...workload('cart-1', '127.31.1.2'));
    source.set(...workload('cart-2', '127.31.1.3'));
    source.delete(TypeUrl.authorization, 'shop/deny-plaintext');
    await waitFor(
      () => state.workloadByIp('127.31.1.2') && state.workloadByIp('127.31.1.3') && state.snapshot().policies.length === 0,
      'the update and the removal to reach the state',
    );
    expect(state.workloadByIp('127.31.1.1')).toBeUndefined();
    expect(state.endpointsOf(`shop/${HOST}`).map((w) => w.name)).toEqual(['cart-1', 'cart-2']);
  });

  it('NACKs a resource that does not decode, which the server records, and keeps serving what it had', async () => {
    const source = fill(new MemoryResourceSource(), workload('cart-1', '127.31.2.1'));
    const server = await serve(source);
    const state = new ProxyState();
    const client = startClient({ address: `127.0.0.1:${server.port}`, sink: new WorkloadStateSink({ state }) });
    await client.whenSynced(5000);
    const accepted = client.version(TypeUrl.address);

    // A new workload and a broken resource in one push: the whole response is refused.
    source.set('Kubernetes//Pod/shop/broken', { typeUrl: TypeUrl.address, value: Uint8Array.of(0xff, 0xff, 0xff) });
    const nack = await waitFor(() => serverType(server, TypeUrl.address)?.lastNack, 'the server to record the NACK');
    expect(nack.message).toMatch(/istio\.workload\.Address Kubernetes\/\/Pod\/shop\/broken does not decode/);
    expect(client.status().types.find((t) => t.typeUrl === TypeUrl.address)).toMatchObject({
      nacks: 1,
      version: accepted,
      resourceCount: 1,
    });
    expect(client.lastError?.message).toBe(nack.message);
    expect(client.connected).toBe(true);
    expect(state.workloadByIp('127.31.2.1')?.name).toBe('cart-1');

    // The stream stays healthy: the next good change is applied and ACKed.
    source.set(...workload('cart-2', '127.31.2.2'));
    await waitFor(() => state.workloadByIp('127.31.2.2'), 'the next update after the NACK');
    await waitFor(() => client.version(TypeUrl.address) !== accepted, 'a newer accepted version');
  });

  it('keeps its state while the control plane is down, then reconnects on the same port and is sent only what changed', async () => {
    const before = fill(
      new MemoryResourceSource(),
      workload('a', '127.31.3.1'),
      workload('b', '127.31.3.2'),
      workload('c', '127.31.3.3'),
      service('127.31.128.3'),
      policy('deny-plaintext'),
    );
    const first = await serve(before);
    const port = first.port;
    const state = new ProxyState();
    const sink = new RecordingSink(new WorkloadStateSink({ state, node: 'node-a' }));
    const client = startClient({ address: `127.0.0.1:${port}`, sink });
    await client.whenSynced(5000);
    expect(state.snapshot().workloads).toHaveLength(3);

    await first.stop();
    await waitFor(() => !client.connected, 'the client to notice the control plane is gone');
    expect(client.status().state).toMatch(/backoff|connecting/);
    expect(client.lastError?.message).toMatch(/UNAVAILABLE|CANCELLED|ended/);
    // Nothing was forgotten: the proxy keeps serving its last configuration.
    expect(
      state
        .snapshot()
        .workloads.map((w) => w.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(state.serviceByVip('127.31.128.3', 80)).toBeDefined();
    expect(state.snapshot().policies).toHaveLength(1);

    // While it was away: c moved, d appeared, the service went; a, b and the policy did not change.
    const after = fill(
      new MemoryResourceSource(),
      workload('a', '127.31.3.1'),
      workload('b', '127.31.3.2'),
      workload('c', '127.31.3.33'),
      workload('d', '127.31.3.4'),
      policy('deny-plaintext'),
    );
    const mark = sink.calls.length;
    const second = await serve(after, port);
    await waitFor(() => client.connected && state.workloadByIp('127.31.3.4'), 'the client to reconnect and resync', 10_000);

    expect(state.workloadByIp('127.31.3.33')?.name).toBe('c');
    expect(state.workloadByIp('127.31.3.3')).toBeUndefined();
    expect(state.serviceByVip('127.31.128.3', 80)).toBeUndefined();
    // initial_resource_versions told the new server what the client held: only c and d were sent,
    // the service was removed, and the unchanged policy was not resent at all.
    expect(sink.callsSince(mark, TypeUrl.address)).toEqual([
      { typeUrl: TypeUrl.address, upserted: ['Kubernetes//Pod/shop/c', 'Kubernetes//Pod/shop/d'], removed: [`shop/${HOST}`] },
    ]);
    expect(sink.callsSince(mark, TypeUrl.authorization)).toEqual([]);
    await waitFor(() => (serverType(second, TypeUrl.authorization)?.acks ?? 0) > 0, 'the empty Authorization answer to be ACKed');
    expect(serverType(second, TypeUrl.authorization)?.resourceCount).toBe(1);
    expect(serverType(second, TypeUrl.address)?.resourceCount).toBe(4);
    expect(client.status().attempts).toBeGreaterThan(1);
  });

  it.each(['delta', 'sotw'] as const)('hands a waypoint Envoy resources as plain objects over %s ADS', async (transport) => {
    const cluster = (name: string, timeout: number) =>
      packEnvoyResource('envoy.config.cluster.v3.Cluster', {
        name,
        type: 'EDS',
        edsClusterConfig: { edsConfig: { ads: {} } },
        connectTimeout: { seconds: timeout },
      });
    const source = fill(
      new MemoryResourceSource(),
      ['reviews', cluster('reviews', 1)],
      ['ratings', cluster('ratings', 1)],
      [
        'reviews',
        packEnvoyResource('envoy.config.endpoint.v3.ClusterLoadAssignment', {
          clusterName: 'reviews',
          endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.31.4.1', portValue: 9080 } } } }] }],
        }),
      ],
      [
        'main',
        packEnvoyResource('envoy.config.listener.v3.Listener', {
          name: 'main',
          address: { socketAddress: { address: '0.0.0.0', portValue: 15008 } },
        }),
      ],
      [
        'extra',
        packEnvoyResource('envoy.config.listener.v3.Listener', {
          name: 'extra',
          address: { socketAddress: { address: '0.0.0.0', portValue: 15009 } },
        }),
      ],
      [
        'reviews-routes',
        packEnvoyResource('envoy.config.route.v3.RouteConfiguration', {
          name: 'reviews-routes',
          virtualHosts: [{ name: 'reviews', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'reviews' } }] }],
        }),
      ],
    );
    const server = await serve(source);
    const sink = new RecordingSink();
    const client = startClient({
      address: `127.0.0.1:${server.port}`,
      sink,
      transport,
      node: { id: `waypoint-${transport}`, kind: 'waypoint', waypoint: 'shop/waypoint' },
    });
    await client.whenSynced(5000);

    expect(server.listProxies()[0]).toMatchObject({ kind: 'waypoint', transport, proxy: { waypoint: 'shop/waypoint' } });
    expect(sink.envoy.get(TypeUrl.cluster)?.get('reviews')).toMatchObject({ name: 'reviews', type: 'EDS', connectTimeout: { seconds: 1 } });
    expect(sink.envoy.get(TypeUrl.clusterLoadAssignment)?.get('reviews')).toMatchObject({
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.31.4.1', portValue: 9080 } } } }] }],
    });
    expect([...(sink.envoy.get(TypeUrl.listener)?.keys() ?? [])].sort()).toEqual(['extra', 'main']);
    expect(sink.envoy.get(TypeUrl.routeConfiguration)?.get('reviews-routes')).toMatchObject({
      virtualHosts: [{ routes: [{ route: { cluster: 'reviews' } }] }],
    });

    // One cluster changes and a listener goes: the sink hears of exactly that, whatever the transport
    // (state of the world resends every cluster and leaves the listener out).
    const mark = sink.calls.length;
    source.set('ratings', cluster('ratings', 2));
    source.delete(TypeUrl.listener, 'extra');
    await waitFor(
      () => !sink.envoy.get(TypeUrl.listener)?.has('extra') && sink.callsSince(mark, TypeUrl.cluster).length > 0,
      'the change to arrive',
    );
    expect(sink.callsSince(mark, TypeUrl.cluster)).toEqual([{ typeUrl: TypeUrl.cluster, upserted: ['ratings'], removed: [] }]);
    expect(sink.callsSince(mark, TypeUrl.listener)).toEqual([{ typeUrl: TypeUrl.listener, upserted: [], removed: ['extra'] }]);
    expect(sink.envoy.get(TypeUrl.cluster)?.get('ratings')).toMatchObject({ connectTimeout: { seconds: 2 } });
  });

  describe('over TLS', () => {
    interface Certificate {
      key: Buffer;
      cert: Buffer;
      certFile: string;
    }
    let dir = '';
    let serving: Certificate;
    let stranger: Certificate;
    // A self-signed serving certificate for the name Istio's control plane answers to.
    const selfSigned = (name: string): Certificate => {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.pem`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          `/CN=${name}`,
          '-addext',
          'subjectAltName=DNS:istiod.istio-system.svc',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
    };
    const credentials = () => grpc.ServerCredentials.createSsl(null, [{ private_key: serving.key, cert_chain: serving.cert }], false);

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'ambit-xds-tls-'));
      serving = selfSigned('istiod');
      stranger = selfSigned('stranger');
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('connects when the server certificate chains to the root CA file', async () => {
      const server = await serve(fill(new MemoryResourceSource(), workload('cart-1', '127.31.5.1')), 0, credentials());
      const state = new ProxyState();
      const client = startClient({
        address: `127.0.0.1:${server.port}`,
        sink: new WorkloadStateSink({ state }),
        tls: { rootCaFile: serving.certFile, serverName: 'istiod.istio-system.svc' },
        token: 'node-token',
      });
      await client.whenSynced(5000);
      expect(state.workloadByIp('127.31.5.1')?.name).toBe('cart-1');
    });

    it('refuses a server its root CA does not vouch for, and says why', async () => {
      const server = await serve(fill(new MemoryResourceSource(), workload('cart-1', '127.31.5.2')), 0, credentials());
      const state = new ProxyState();
      const client = startClient({
        address: `127.0.0.1:${server.port}`,
        sink: new WorkloadStateSink({ state }),
        tls: { rootCaFile: stranger.certFile, serverName: 'istiod.istio-system.svc' },
      });
      const error = await waitFor(() => client.lastError, 'the TLS failure to be reported');
      expect(error.message).toMatch(/UNAVAILABLE/);
      await expect(client.whenSynced(300)).rejects.toThrow(
        /no xDS configuration .* \(waiting for nds, wds, wads\); last error: UNAVAILABLE/,
      );
      expect(client.connected).toBe(false);
      expect(state.snapshot().workloads).toEqual([]);
      expect(server.listProxies()).toEqual([]);
    });
  });
});
