// Conformance: the real @grpc/grpc-js-xds client (state-of-the-world ADS) resolves `xds:///echo`
// through Ambit's xDS server, follows pushes, and NACKs what it cannot accept.
// grpc-js-xds reads its bootstrap once per process; vitest gives each test file its own process,
// so this file holds the only test that talks to grpc-js-xds.
import * as grpc from '@grpc/grpc-js';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryResourceSource, type ProxyStatus, packEnvoyResource, startXdsServer, TypeUrl, type XdsServer } from '../src/xds/index';

const echoProto = protobuf.parse(`
  syntax = "proto3";
  package ambit.test;
  message EchoRequest { string message = 1; }
  message EchoReply { string message = 1; string server = 2; }
`).root;
const EchoRequest = echoProto.lookupType('ambit.test.EchoRequest');
const EchoReply = echoProto.lookupType('ambit.test.EchoReply');
const ECHO_PATH = '/ambit.test.Echo/Echo';
type Reply = { message: string; server: string };

const echoService: grpc.ServiceDefinition = {
  Echo: {
    path: ECHO_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: object) => Buffer.from(EchoRequest.encode(EchoRequest.fromObject(value)).finish()),
    requestDeserialize: (bytes: Buffer) => EchoRequest.toObject(EchoRequest.decode(bytes)),
    responseSerialize: (value: object) => Buffer.from(EchoReply.encode(EchoReply.fromObject(value)).finish()),
    responseDeserialize: (bytes: Buffer) => EchoReply.toObject(EchoReply.decode(bytes)),
  },
};

async function startEchoServer(name: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(echoService, {
    Echo: (call: grpc.ServerUnaryCall<{ message: string }, Reply>, callback: grpc.sendUnaryData<Reply>) =>
      callback(null, { message: call.request.message, server: name }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, port };
}

function echo(client: grpc.Client, message: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      ECHO_PATH,
      (value: object) => Buffer.from(EchoRequest.encode(EchoRequest.fromObject(value)).finish()),
      (bytes: Buffer) => EchoReply.toObject(EchoReply.decode(bytes)) as Reply,
      { message },
      new grpc.Metadata(),
      { deadline: Date.now() + 5000, waitForReady: true } as grpc.CallOptions,
      (error, reply) => (error || !reply ? reject(error ?? new Error('no reply')) : resolve(reply)),
    );
  });
}

async function eventually<T>(attempt: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

// Minimal Envoy resources for `xds:///echo`, the shape grpc-js-xds accepts.
function listener(routeConfigName: string, routerLast = true) {
  const router = {
    name: 'envoy.filters.http.router',
    typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
  };
  const fault = {
    name: 'envoy.filters.http.fault',
    typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' },
  };
  return packEnvoyResource('envoy.config.listener.v3.Listener', {
    name: 'echo',
    apiListener: {
      apiListener: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName },
        httpFilters: routerLast ? [fault, router] : [router, fault],
      },
    },
  });
}

function routeConfiguration(name: string, cluster: string) {
  return packEnvoyResource('envoy.config.route.v3.RouteConfiguration', {
    name,
    virtualHosts: [{ name: 'echo', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster } }] }],
  });
}

function edsCluster(name: string) {
  return packEnvoyResource('envoy.config.cluster.v3.Cluster', {
    name,
    type: 'EDS',
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
    lbPolicy: 'ROUND_ROBIN',
  });
}

function loadAssignment(clusterName: string, port: number) {
  return packEnvoyResource('envoy.config.endpoint.v3.ClusterLoadAssignment', {
    clusterName,
    endpoints: [
      {
        locality: { region: 'local', zone: 'a' },
        loadBalancingWeight: { value: 1 },
        lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } }, healthStatus: 'HEALTHY' }],
      },
    ],
  });
}

function typeStatus(proxy: ProxyStatus | undefined, typeUrl: string) {
  return proxy?.types.find((type) => type.typeUrl === typeUrl);
}

describe('xDS server with the real @grpc/grpc-js-xds client', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('routes xds:///echo to the endpoint it serves, follows an endpoint push, and NACKs an invalid listener', {
    timeout: 30_000,
  }, async () => {
    const first = await startEchoServer('first');
    cleanups.push(() => first.server.forceShutdown());
    const second = await startEchoServer('second');
    cleanups.push(() => second.server.forceShutdown());

    const source = new MemoryResourceSource();
    source.set('echo', listener('echo-routes'));
    source.set('echo-routes', routeConfiguration('echo-routes', 'echo-cluster'));
    source.set('echo-cluster', edsCluster('echo-cluster'));
    source.set('echo-cluster', loadAssignment('echo-cluster', first.port));

    const xds: XdsServer = await startXdsServer({
      port: 0,
      source,
      logger: pino({ level: 'silent' }),
      debounce: { quietMs: 10, maxDelayMs: 100 },
    });
    cleanups.push(() => xds.stop());

    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [{ server_uri: `127.0.0.1:${xds.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: {
        id: 'echo-client~127.0.0.1~echo-client.default~default.svc.cluster.local',
        locality: {},
        metadata: { AMBIT_PROXY_KIND: 'grpc' },
      },
    });
    registerXdsResolver();
    const client = new grpc.Client('xds:///echo', grpc.credentials.createInsecure());
    cleanups.push(() => client.close());

    const reply = await echo(client, 'hello');
    expect(reply).toEqual({ message: 'hello', server: 'first' });

    // Every type was asked for by name and acknowledged at the version sent.
    const proxy = await eventually(
      () => {
        const found = xds.listProxies().find((p) => p.id.startsWith('echo-client'));
        const allAcked = [TypeUrl.listener, TypeUrl.routeConfiguration, TypeUrl.cluster, TypeUrl.clusterLoadAssignment].every((url) => {
          const type = typeStatus(found, url);
          return type?.versionAcked !== undefined && type.versionAcked === type.versionSent && !type.pending;
        });
        return allAcked ? found : undefined;
      },
      5000,
      'all four types acknowledged',
    );
    expect(proxy.kind).toBe('grpc');
    expect(proxy.transport).toBe('sotw');
    expect(typeStatus(proxy, TypeUrl.listener)?.resourceNames).toEqual(['echo']);
    expect(typeStatus(proxy, TypeUrl.routeConfiguration)?.resourceNames).toEqual(['echo-routes']);
    expect(typeStatus(proxy, TypeUrl.clusterLoadAssignment)?.resourceNames).toEqual(['echo-cluster']);
    expect(proxy.types.every((type) => type.nacks === 0)).toBe(true);

    // Move the endpoint: calls follow the push.
    source.set('echo-cluster', loadAssignment('echo-cluster', second.port));
    const moved = await eventually(
      async () => ((await echo(client, 'again')).server === 'second' ? true : undefined),
      5000,
      'calls to reach the second server',
    );
    expect(moved).toBe(true);

    // A listener grpc-js-xds must reject (router filter not last): NACKed, and the client keeps serving.
    source.set('echo', listener('echo-routes', false));
    const nack = await eventually(
      () =>
        typeStatus(
          xds.listProxies().find((p) => p.id.startsWith('echo-client')),
          TypeUrl.listener,
        )?.lastNack,
      5000,
      'the listener NACK',
    );
    expect(nack.message).toMatch(/router filter/);
    expect(await echo(client, 'still')).toEqual({ message: 'still', server: 'second' });
    expect(xds.metricsText()).toMatch(/pilot_total_xds_rejects\{type="lds"\} 1/);
  });
});
