/**
 * Two real `ambit ztunnel` processes on loopback, fed by the real control plane (startControlPlane,
 * in the bench process, idle during measurement) as apps/bff/test/ztunnel-e2e.test.ts does. The
 * client workload is 127.0.0.1 (wrk's source address) on node A; the server workload is on node B;
 * the Service VIP on node A is where clients connect. Filler pods make 1,000 workloads known.
 * With `waypoint`, a third process (`ambit waypoint`, Gateway `bench/waypoint` of class
 * istio-waypoint at WAYPOINT_IP, its pod on node B) serves the Service: ztunnel → waypoint → ztunnel;
 * a second Service over the same pods without a waypoint (ZTUNNEL_ONLY_VIP) keeps the ztunnel pair
 * alone measurable in the same mesh.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlane, startControlPlane } from '@ambit/control-plane/control-plane';
import { applyAll } from '@ambit/control-plane/registry/test-fixtures';
import { ensureProxyBundles, PROXY_NODE_FLAGS, type ProxyKind } from '@ambit/dataplane/process/bundle';
import type { KubeObject } from '@ambit/shared';
import { pino } from 'pino';
import { type BenchProcess, startProcess } from './processes';

export const NODE_A = { name: 'node-bench-a', address: '127.210.0.1' };
export const NODE_B = { name: 'node-bench-b', address: '127.211.0.1' };
export const CLIENT_IP = '127.0.0.1';
export const SERVER_IP = '127.211.1.1';
export const SERVICE_VIP = '127.210.128.1';
export const SERVICE_PORT = 8080;
export const WAYPOINT_IP = '127.213.0.1';
/** With `waypoint`: Service `web-l4` on node A, the same server without a waypoint (client → ztunnel → ztunnel → server). */
export const ZTUNNEL_ONLY_VIP = '127.210.128.2';

export interface ZtunnelMesh {
  readonly a: BenchProcess;
  readonly b: BenchProcess;
  readonly waypoint: BenchProcess | undefined;
  readonly workloads: number;
  stop(): Promise<void>;
}

function pod(name: string, node: string, ip: string, serviceAccount: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'bench', labels },
    spec: { nodeName: node, serviceAccountName: serviceAccount, containers: [{ name: 'app' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], containerStatuses: [{ name: 'app', ready: true }] },
  };
}

function waypointObjects(serverPort: number): KubeObject[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'bench', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        addresses: [{ type: 'IPAddress', value: WAYPOINT_IP }],
      },
    },
    pod('waypoint-0', NODE_B.name, WAYPOINT_IP, 'waypoint', { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-l4', namespace: 'bench' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: SERVICE_PORT, targetPort: serverPort }] },
      status: { nodeAddresses: { [NODE_A.name]: ZTUNNEL_ONLY_VIP, [NODE_B.name]: '127.211.128.2' } },
    },
  ];
}

function mesh(serverPort: number, workloads: number, waypoint: boolean): KubeObject[] {
  const fillers = Array.from({ length: workloads - 2 }, (_, i) =>
    pod(`filler-${i}`, NODE_B.name, `127.212.${Math.floor(i / 250)}.${(i % 250) + 1}`, 'filler', { app: 'filler' }),
  );
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    ...[NODE_A, NODE_B].map(
      (n): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
        status: { addresses: [{ type: 'InternalIP', address: n.address }] },
      }),
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'bench', labels: waypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {} },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: SERVICE_PORT, targetPort: serverPort }] },
      status: { nodeAddresses: { [NODE_A.name]: SERVICE_VIP, [NODE_B.name]: '127.211.128.1' } },
    },
    pod('client-0', NODE_A.name, CLIENT_IP, 'client', { app: 'client' }),
    pod('web-0', NODE_B.name, SERVER_IP, 'web', { app: 'web' }),
    ...fillers,
    ...(waypoint ? waypointObjects(serverPort) : []),
  ];
}

async function ready(node: { address: string; port?: number }, process: BenchProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://${node.address}:${node.port ?? 15021}/healthz/ready`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (process.child.exitCode !== null) throw new Error(`${process.name} exited: ${process.tail.join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`${process.name} not ready within ${timeoutMs} ms: ${process.tail.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Throws when something already listens where a ztunnel would (another run, another test's mesh). */
async function assertFree(address: string, port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (inUse) throw new Error(`${address}:${port} is already in use; is another benchmark running?`);
}

/** `cpuProfileDir` writes a V8 CPU profile of each ztunnel there when it stops. */
export async function startZtunnelMesh(options: {
  serverPort: number;
  workloads: number;
  waypoint?: boolean;
  cpuProfileDir?: string;
}): Promise<ZtunnelMesh> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ambit-bench-ztunnel-'));
  let controlPlane: ControlPlane | undefined;
  const processes: BenchProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await controlPlane?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const address of [NODE_A.address, NODE_B.address, WAYPOINT_IP]) await assertFree(address, 15021);
    // Node writes --cpu-prof files only into a directory that exists.
    if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
    controlPlane = await startControlPlane({ dataDir, xdsPort: 0, secureXdsPort: 0, monitoringPort: 0, logger: pino({ level: 'silent' }) });
    applyAll(controlPlane.store, mesh(options.serverPort, options.workloads, options.waypoint === true));
    const xdsPort = controlPlane.xds.port;
    // The bundled proxies, as `ambit up` runs them (built here when missing or stale).
    // AMBIT_BENCH_ZTUNNEL_BUNDLE / AMBIT_BENCH_WAYPOINT_BUNDLE run another build (e.g. a saved one, to compare against).
    const given: Partial<Record<ProxyKind, string>> = {};
    if (process.env.AMBIT_BENCH_ZTUNNEL_BUNDLE) given.ztunnel = process.env.AMBIT_BENCH_ZTUNNEL_BUNDLE;
    if (process.env.AMBIT_BENCH_WAYPOINT_BUNDLE) given.waypoint = process.env.AMBIT_BENCH_WAYPOINT_BUNDLE;
    const kinds = (options.waypoint ? (['ztunnel', 'waypoint'] as const) : (['ztunnel'] as const)).filter((kind) => !given[kind]);
    const bundles = { ...(kinds.length > 0 ? await ensureProxyBundles(kinds) : {}), ...given } as Record<ProxyKind, string>;
    // AMBIT_BENCH_NODE_FLAGS (space-separated) adds Node flags to every proxy, to try V8 settings.
    const extraFlags = process.env.AMBIT_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    // AMBIT_BENCH_WAYPOINT_NODE_FLAGS adds Node flags to the waypoint alone (the ztunnels keep theirs).
    const waypointFlags = process.env.AMBIT_BENCH_WAYPOINT_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    for (const node of [NODE_A, NODE_B]) {
      await controlPlane.ca.nodeTokens.issueNodeToken(node.name, { writeTo: join(dataDir, `${node.name}.token`) });
      const nodeArgs = options.cpuProfileDir
        ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `${node.name}.cpuprofile`]
        : [];
      processes.push(
        startProcess(`ztunnel ${node.name}`, process.execPath, [
          ...PROXY_NODE_FLAGS.ztunnel,
          ...extraFlags,
          ...nodeArgs,
          bundles.ztunnel,
          '--node',
          node.name,
          '--address',
          node.address,
          '--admin-host',
          node.address,
          '--control-plane',
          `127.0.0.1:${xdsPort}`,
          '--token-file',
          join(dataDir, `${node.name}.token`),
          // An access log line per connection would be written to a pipe this process reads; warnings only.
          '--log-level',
          'warn',
        ]),
      );
    }
    const [a, b] = processes as [BenchProcess, BenchProcess];
    let waypoint: BenchProcess | undefined;
    if (options.waypoint) {
      const profile = options.cpuProfileDir
        ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', 'waypoint.cpuprofile']
        : [];
      waypoint = startProcess('waypoint', process.execPath, [
        ...PROXY_NODE_FLAGS.waypoint,
        ...extraFlags,
        ...waypointFlags,
        ...profile,
        bundles.waypoint,
        '--name',
        'bench/waypoint',
        '--address',
        WAYPOINT_IP,
        '--node',
        NODE_B.name,
        '--token-file',
        join(dataDir, `${NODE_B.name}.token`),
        '--control-plane',
        `127.0.0.1:${xdsPort}`,
        '--namespace',
        'bench',
        '--service-account',
        'waypoint',
        '--pod-name',
        'waypoint-0',
        '--log-level',
        'warn',
      ]);
      processes.push(waypoint);
    }
    await Promise.all([
      ready(NODE_A, a, 30_000),
      ready(NODE_B, b, 30_000),
      ...(waypoint ? [ready({ address: WAYPOINT_IP }, waypoint, 30_000)] : []),
    ]);
    return { a, b, waypoint, workloads: options.workloads, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
