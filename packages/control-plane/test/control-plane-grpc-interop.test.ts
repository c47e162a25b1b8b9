// Issue "control plane", done-when: proxyless @grpc/grpc-js-xds clients bootstrapped at a running
// control plane (store → registry → translators → xDS) call gRPC backends through xds:///: an
// 80/20 split, retries that hide a flaky backend, a FaultInjection abort at its percentage, and a
// weight change reaching running clients. grpc-js-xds reads its bootstrap once per process, and
// vitest runs each file in its own process, so this file bootstraps once for all its tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@ambit/shared';
import * as grpc from '@grpc/grpc-js';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../src/control-plane';

const proto = protobuf.parse(`
  syntax = "proto3";
  package ambit.test;
  message Ping { string message = 1; }
  message Pong { string server = 1; }
`).root;
const Ping = proto.lookupType('ambit.test.Ping');
const Pong = proto.lookupType('ambit.test.Pong');
const PATH = '/ambit.test.Echo/Echo';
const author = 'interop-test';

/** A gRPC echo backend; `failEvery` makes every Nth call fail with UNAVAILABLE. */
async function startBackend(name: string, failEvery = 0): Promise<{ server: grpc.Server; port: number; calls: () => number }> {
  let calls = 0;
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
    {
      Echo: (_call: unknown, callback: grpc.sendUnaryData<{ server: string }>) => {
        calls++;
        if (failEvery > 0 && calls % failEvery === 0) callback({ code: grpc.status.UNAVAILABLE, details: 'flaky' });
        else callback(null, { server: name });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, port, calls: () => calls };
}

function call(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      PATH,
      (v: object) => Buffer.from(Ping.encode(Ping.fromObject(v)).finish()),
      (b: Buffer) => Pong.toObject(Pong.decode(b)) as { server: string },
      { message: 'hi' },
      new grpc.Metadata(),
      { deadline: Date.now() + 5000, waitForReady: true } as grpc.CallOptions,
      (error, reply) => (error || !reply ? reject(error ?? new Error('no reply')) : resolve(reply.server)),
    );
  });
}

async function tally(client: grpc.Client, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const outcome = await call(client).catch((e: grpc.ServiceError) => `error:${grpc.status[e.code]}`);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

const ns = 'interop';
function service(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { selector, ports: [{ name: 'grpc', port: 7070, targetPort: 'grpc' }] },
  };
}
function pod(name: string, labels: Record<string, string>, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', ports: [{ name: 'grpc', containerPort: port }] }] },
  };
}
function route(name: string, rule: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: { parentRefs: [{ group: '', kind: 'Service', name, port: 7070 }], rules: [rule] },
  };
}
const split = (v1: number, v2: number) =>
  route('echo', {
    backendRefs: [
      { name: 'echo-v1', port: 7070, weight: v1 },
      { name: 'echo-v2', port: 7070, weight: v2 },
    ],
  });

describe('control plane with @grpc/grpc-js-xds clients', () => {
  const cleanups: (() => unknown)[] = [];
  let controlPlane: ControlPlane;
  let echo: grpc.Client;

  beforeAll(async () => {
    const backends = {
      v1: await startBackend('v1'),
      v2: await startBackend('v2'),
      flaky: await startBackend('flaky', 3),
      faulty: await startBackend('faulty'),
    };
    for (const b of Object.values(backends)) cleanups.push(() => b.server.forceShutdown());
    const dir = mkdtempSync(join(tmpdir(), 'ambit-interop-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    controlPlane = await startControlPlane({
      dataDir: dir,
      xdsPort: 0,
      secureXdsPort: 0,
      monitoringPort: 0,
      logger: pino({ level: 'silent' }),
    });
    cleanups.unshift(() => controlPlane.stop());
    const { store } = controlPlane;
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio.io/dataplane-mode': 'ambient' } } },
      service('echo', { app: 'echo' }),
      service('echo-v1', { app: 'echo', version: 'v1' }),
      service('echo-v2', { app: 'echo', version: 'v2' }),
      service('flaky', { app: 'flaky' }),
      service('faulty', { app: 'faulty' }),
      pod('echo-v1', { app: 'echo', version: 'v1' }, backends.v1.port),
      pod('echo-v2', { app: 'echo', version: 'v2' }, backends.v2.port),
      pod('flaky', { app: 'flaky' }, backends.flaky.port),
      pod('faulty', { app: 'faulty' }, backends.faulty.port),
      split(80, 20),
      route('flaky', { backendRefs: [{ name: 'flaky', port: 7070 }], retry: { attempts: 3, codes: [503] } }),
      {
        apiVersion: 'networking.ambit.dev/v1alpha1',
        kind: 'FaultInjection',
        metadata: { name: 'half-abort', namespace: ns },
        spec: { abort: { grpcStatus: 14, percentage: 50 } },
      },
      route('faulty', {
        backendRefs: [{ name: 'faulty', port: 7070 }],
        filters: [{ type: 'ExtensionRef', extensionRef: { group: 'networking.ambit.dev', kind: 'FaultInjection', name: 'half-abort' } }],
      }),
    ];
    store.apply(objects, { author });
    for (const name of ['echo-v1', 'echo-v2', 'flaky', 'faulty']) {
      store.updateStatus(
        { kind: 'Pod', namespace: ns, name },
        { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
      );
    }

    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [
        { server_uri: `127.0.0.1:${controlPlane.xds.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: { id: 'interop-client', locality: {}, metadata: { AMBIT_PROXY_KIND: 'grpc' } },
    });
    registerXdsResolver();
    echo = new grpc.Client(`xds:///echo.${ns}.svc.cluster.local:7070`, grpc.credentials.createInsecure());
    cleanups.push(() => echo.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('splits 80/20 over 500 calls within ±5 %', async () => {
    const counts = await tally(echo, 500);
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v2']);
    expect((counts.v1 ?? 0) / 500).toBeGreaterThanOrEqual(0.75);
    expect((counts.v1 ?? 0) / 500).toBeLessThanOrEqual(0.85);
  });

  it('turns a backend failing one call in three into 100 % success with the route retry policy', async () => {
    const client = new grpc.Client(`xds:///flaky.${ns}:7070`, grpc.credentials.createInsecure());
    try {
      expect(await tally(client, 150)).toEqual({ flaky: 150 });
    } finally {
      client.close();
    }
  });

  it('aborts the configured share of calls with a FaultInjection ExtensionRef filter (50 ± 7 % of 400)', async () => {
    const client = new grpc.Client(`xds:///faulty.${ns}:7070`, grpc.credentials.createInsecure());
    try {
      const counts = await tally(client, 400);
      expect(Object.keys(counts).sort()).toEqual(['error:UNAVAILABLE', 'faulty']);
      const aborted = (counts['error:UNAVAILABLE'] ?? 0) / 400;
      expect(aborted).toBeGreaterThanOrEqual(0.43);
      expect(aborted).toBeLessThanOrEqual(0.57);
    } finally {
      client.close();
    }
  });

  it('moves a running client to new weights without restarting it, failing no call', async () => {
    controlPlane.store.apply([split(0, 100)], { author });
    const seen: string[] = [];
    const deadline = Date.now() + 15_000;
    // Calls keep flowing while the push lands; none may fail.
    while (Date.now() < deadline) {
      seen.push(await call(echo));
      if (seen.length >= 20 && seen.slice(-20).every((s) => s === 'v2')) break;
    }
    expect(seen.slice(-20).every((s) => s === 'v2')).toBe(true);
    const proxy = controlPlane.xds.listProxies().find((p) => p.id === 'interop-client');
    expect(proxy?.types.every((t) => t.nacks === 0)).toBe(true);
  });

  it('reports the client in proxy-status on the monitoring port, with every type synced', async () => {
    const response = await fetch(`http://127.0.0.1:${controlPlane.monitoring.port}/debug/proxy-status`);
    const proxies = (await response.json()) as { id: string; kind: string; types: { type: string; state: string }[] }[];
    const client = proxies.find((p) => p.id === 'interop-client');
    expect(client?.kind).toBe('grpc');
    expect(new Set(client?.types.map((t) => t.type))).toEqual(new Set(['lds', 'rds', 'cds', 'eds']));
    expect(client?.types.every((t) => t.state === 'SYNCED')).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${controlPlane.monitoring.port}/metrics`)).text();
    expect(metrics).toMatch(/^pilot_xds_pushes\{type="rds"\} [1-9]/m);
    expect(metrics).toMatch(/^pilot_xds 1$/m);
  });
});
