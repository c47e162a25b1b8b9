// Conformance: a real @grpc/grpc-js-xds client resolves services through the registry, the
// translators and the xDS server — short and full target names, a weighted HTTPRoute split, and
// a route change followed live. grpc-js-xds reads its bootstrap once per process, so this file
// holds the only test of this kind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@ambit/shared';
import * as grpc from '@grpc/grpc-js';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry/index';
import { applyAll, namespace } from '../src/registry/test-fixtures';
import { openSqliteStore } from '../src/store/index';
import { createRegistryResourceSource } from '../src/translate/index';
import { startXdsServer } from '../src/xds/index';

const proto = protobuf.parse(`
  syntax = "proto3";
  package ambit.test;
  message Ping { string message = 1; }
  message Pong { string server = 1; }
`).root;
const Ping = proto.lookupType('ambit.test.Ping');
const Pong = proto.lookupType('ambit.test.Pong');
const PATH = '/ambit.test.Echo/Echo';

async function startEcho(name: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(
    {
      Echo: {
        path: PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: object) => Buffer.from(Ping.encode(Ping.fromObject(v)).finish()),
        requestDeserialize: (b: Buffer) => Ping.toObject(Ping.decode(b)),
        responseSerialize: (v: object) => Buffer.from(Pong.encode(Pong.fromObject(v)).finish()),
        responseDeserialize: (b: Buffer) => Pong.toObject(Pong.decode(b)),
      },
    },
    { Echo: (_call: unknown, callback: grpc.sendUnaryData<{ server: string }>) => callback(null, { server: name }) },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, port };
}

function call(client: grpc.Client, path = PATH): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (v: object) => Buffer.from(Ping.encode(Ping.fromObject(v)).finish()),
      (b: Buffer) => Pong.toObject(Pong.decode(b)) as { server: string },
      { message: 'hi' },
      new grpc.Metadata(),
      { deadline: Date.now() + 5000, waitForReady: true } as grpc.CallOptions,
      (error, reply) => (error || !reply ? reject(error ?? new Error('no reply')) : resolve(reply.server)),
    );
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function service(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'demo' },
    spec: { selector, ports: [{ name: 'grpc', port: 7070, targetPort: 'grpc' }] },
  };
}

function pod(version: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `echo-${version}-0`, namespace: 'demo', labels: { app: 'echo', version } },
    spec: { nodeName: 'node-1', containers: [{ name: 'echo', ports: [{ name: 'grpc', containerPort: port }] }] },
    status: { phase: 'Running', podIP: '127.0.0.1' },
  };
}

/** A weighted split; `prefixToV1` adds a PathPrefix rule for the Echo service that wins over it. */
function split(v1: number, v2: number, prefixToV1 = false): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'echo', namespace: 'demo' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'echo', port: 7070 }],
      rules: [
        // Always present: a rule whose backend does not exist must not make gRPC reject the routes.
        { matches: [{ path: { type: 'PathPrefix', value: '/ambit.test.Missing' } }], backendRefs: [{ name: 'nowhere', port: 7070 }] },
        ...(prefixToV1
          ? [
              {
                matches: [{ path: { type: 'PathPrefix' as const, value: '/ambit.test.Echo' } }],
                backendRefs: [{ name: 'echo-v1', port: 7070 }],
              },
            ]
          : []),
        {
          backendRefs: [
            { name: 'echo-v1', port: 7070, weight: v1 },
            { name: 'echo-v2', port: 7070, weight: v2 },
          ],
          retry: { attempts: 2, codes: [503] },
          timeouts: { request: '5s' },
        },
      ],
    },
  };
}

describe('proxyless gRPC through the registry', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('resolves xds:/// targets, splits by weight and follows a route change', { timeout: 30_000 }, async () => {
    const v1 = await startEcho('v1');
    cleanups.push(() => v1.server.forceShutdown());
    const v2 = await startEcho('v2');
    cleanups.push(() => v2.server.forceShutdown());

    const dir = mkdtempSync(join(tmpdir(), 'ambit-grpc-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = openSqliteStore({ dataDir: dir });
    cleanups.push(() => store.close());
    applyAll(store, [
      namespace('demo', { 'istio.io/dataplane-mode': 'ambient' }),
      service('echo', { app: 'echo' }),
      service('echo-v1', { app: 'echo', version: 'v1' }),
      service('echo-v2', { app: 'echo', version: 'v2' }),
      pod('v1', v1.port),
      pod('v2', v2.port),
      split(90, 10),
    ]);
    const registry = createRegistry(store);
    cleanups.push(() => registry.close());
    const source = createRegistryResourceSource(registry);
    cleanups.push(() => source.close());
    const xds = await startXdsServer({
      port: 0,
      source,
      logger: pino({ level: process.env.XDS_TEST_LOG ?? 'silent' }),
      debounce: { quietMs: 10, maxDelayMs: 100 },
    });
    cleanups.push(() => xds.stop());

    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [{ server_uri: `127.0.0.1:${xds.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: 'echo-client', locality: {}, metadata: { AMBIT_PROXY_KIND: 'grpc' } },
    });
    registerXdsResolver();

    // The per-version services by their short and full names.
    const shortName = new grpc.Client('xds:///echo-v2.demo:7070', grpc.credentials.createInsecure());
    cleanups.push(() => shortName.close());
    expect(await call(shortName)).toBe('v2');
    const fullName = new grpc.Client('xds:///echo-v1.demo.svc.cluster.local:7070', grpc.credentials.createInsecure());
    cleanups.push(() => fullName.close());
    expect(await call(fullName)).toBe('v1');

    // The route splits 90/10 between the versions.
    const client = new grpc.Client('xds:///echo.demo.svc.cluster.local:7070', grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const counts = { v1: 0, v2: 0 } as Record<string, number>;
    for (let i = 0; i < 300; i++) {
      const server = await call(client);
      counts[server] = (counts[server] ?? 0) + 1;
    }
    // Expected 270/30; the bounds are many standard deviations wide.
    expect(counts.v1).toBeGreaterThan(230);
    expect(counts.v2).toBeGreaterThan(8);

    // The rule whose backend does not exist fails its calls at once (HTTP 500 → UNKNOWN), nothing hangs.
    const failed = await call(client, '/ambit.test.Missing/Echo').catch((error: grpc.ServiceError) => error);
    expect((failed as grpc.ServiceError).code).toBe(grpc.status.UNKNOWN);

    // Move all traffic to v2: calls follow the push.
    store.apply([split(0, 100)], { author: 'test' });
    await until(
      async () => (await call(client)) === 'v2' && (await call(client)) === 'v2' && (await call(client)) === 'v2',
      10_000,
      'v2 only',
    );

    // A segment-wise PathPrefix match on the gRPC service name takes precedence over the split.
    store.apply([split(0, 100, true)], { author: 'test' });
    await until(
      async () => (await call(client)) === 'v1' && (await call(client)) === 'v1' && (await call(client)) === 'v1',
      10_000,
      'v1 by path',
    );

    const proxy = xds.listProxies().find((p) => p.id === 'echo-client');
    expect(proxy?.kind).toBe('grpc');
    expect(proxy?.types.every((type) => type.nacks === 0)).toBe(true);
  });
});
