/**
 * Issue 4's data plane benchmark: HTTP/1.1 with 1 KiB answers on loopback through
 * client → ztunnel (node A) → HBONE → ztunnel (node B) → server, with two real ztunnel processes
 * (the bundled `ambit ztunnel`), measured in the same run against (a) the client straight to the
 * server and (b) a chain of two haproxy (`nbthread 1`) with mutual TLS 1.3 between them in L4 mode. Measures
 * keep-alive throughput (wrk), new connections per second (wrk, `Connection: close`), open-loop
 * latency at 1,000 req/s (added over direct), CPU of each proxy pair over that phase and RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CpuPhase,
  coresPer1000,
  freePort,
  measureFixedRate,
  measureWrk,
  type Path,
  round2,
  runQueueWaitMicrosPerRequest,
  untilAnswering,
  warmUp,
} from './dataplane/compare';
import { type HaproxyChain, startHaproxyChain } from './dataplane/haproxy-chain';
import { type BenchProcess, memoryMiB } from './dataplane/processes';
import { startUpstream } from './dataplane/upstream';
import { SERVER_IP, SERVICE_PORT, SERVICE_VIP, startZtunnelMesh, type ZtunnelMesh } from './dataplane/ztunnel-mesh';
import { atMost, type Benchmark, type BenchmarkReport, type TargetCheck } from './harness';

/** AMBIT_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each ztunnel there. */
const CPU_PROFILE_DIR = process.env.AMBIT_BENCH_CPU_PROF;
const SERVER_PORT = 8080;
const WORKLOADS = 1000;
const THROUGHPUT = { connections: 32, seconds: 8, rounds: 3 };
const NEW_CONNECTIONS = { connections: 16, seconds: 5, rounds: 2, close: true };
const FIXED_RATE = { ratePerSecond: 1000, seconds: 6, rounds: 3, connections: 8 };

async function run(log: (line: string) => void): Promise<BenchmarkReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'ambit-bench-ztunnel-'));
  let server: BenchProcess | undefined;
  let mesh: ZtunnelMesh | undefined;
  let chain: HaproxyChain | undefined;
  try {
    server = await startUpstream(SERVER_IP, SERVER_PORT);
    mesh = await startZtunnelMesh({ serverPort: SERVER_PORT, workloads: WORKLOADS, cpuProfileDir: CPU_PROFILE_DIR });
    const ports = [await freePort('127.0.0.1'), await freePort('127.0.0.1')] as const;
    chain = await startHaproxyChain({
      mode: 'tcp',
      dir: workDir,
      host: '127.0.0.1',
      ports,
      upstream: { host: SERVER_IP, port: SERVER_PORT },
    });
    const paths: Path[] = [
      { name: 'direct', host: SERVER_IP, port: SERVER_PORT, proxies: [] },
      { name: 'ztunnel', host: SERVICE_VIP, port: SERVICE_PORT, proxies: [mesh.a, mesh.b] },
      { name: 'haproxy', host: '127.0.0.1', port: chain.port, proxies: [...chain.processes] },
    ];
    for (const path of paths) await untilAnswering(path);
    log(`paths up: ${paths.map((p) => `${p.name} ${p.host}:${p.port}`).join(', ')}; ${WORKLOADS} workloads known to the ztunnels`);
    log(`RSS MiB when ready: ztunnel A ${JSON.stringify(memoryMiB(mesh.a.pid))}, B ${JSON.stringify(memoryMiB(mesh.b.pid))}`);
    await warmUp(paths);

    const throughput = await measureWrk(paths, THROUGHPUT);
    log(`keep-alive req/s: ${paths.map((p) => `${p.name} ${throughput.rounds[p.name]?.join('/')}`).join('; ')}`);
    const newConnections = await measureWrk(paths, NEW_CONNECTIONS);
    log(`new connections/s: ${paths.map((p) => `${p.name} ${newConnections.rounds[p.name]?.join('/')}`).join('; ')}`);
    const fixedRate = await measureFixedRate(paths, FIXED_RATE);
    const added = fixedRate.addedOverDirect.ztunnel as { p50: number; p90: number; p99: number };
    const cpu = {
      ztunnelPair: coresPer1000(fixedRate.cpu.ztunnel as CpuPhase),
      haproxyPair: coresPer1000(fixedRate.cpu.haproxy as CpuPhase),
      // Diagnostic: how long each pair waited for a core per request (the 2 cores are shared by every process).
      runQueueWaitMicrosPerRequest: {
        ztunnelPair: runQueueWaitMicrosPerRequest(fixedRate.cpu.ztunnel as CpuPhase),
        haproxyPair: runQueueWaitMicrosPerRequest(fixedRate.cpu.haproxy as CpuPhase),
      },
    };
    const memory = {
      ztunnelA: memoryMiB(mesh.a.pid),
      ztunnelB: memoryMiB(mesh.b.pid),
      haproxyFront: memoryMiB((chain.processes[0] as BenchProcess).pid),
      haproxyBack: memoryMiB((chain.processes[1] as BenchProcess).pid),
    };
    log(`at 1,000 req/s added over direct (ms): ${JSON.stringify(fixedRate.addedOverDirect)}`);
    log(
      `cores per 1,000 req/s: ztunnel pair ${cpu.ztunnelPair}, haproxy pair ${cpu.haproxyPair}; waiting for a core per request (µs): ${JSON.stringify(cpu.runQueueWaitMicrosPerRequest)}`,
    );
    log(`RSS MiB: ${JSON.stringify(memory)}`);

    const ratio = (measured: Record<string, number>) => round2((measured.ztunnel ?? Number.NaN) / (measured.haproxy ?? Number.NaN));
    const throughputRatio = ratio(throughput.median);
    const newConnectionsRatio = ratio(newConnections.median);
    const peakMB = Math.round(Math.max(memory.ztunnelA.peakRssMiB, memory.ztunnelB.peakRssMiB) * 1.048576 * 10) / 10;
    const targets: TargetCheck[] = [
      {
        metric: 'keep-alive throughput, ztunnel / haproxy chain',
        target: '>= 0.9',
        measured: throughputRatio,
        unit: 'ratio',
        met: throughputRatio >= 0.9,
      },
      atMost('added p50 at 1,000 req/s', added.p50, 0.3, 'ms'),
      atMost('added p99 at 1,000 req/s', added.p99, 1, 'ms'),
      {
        metric: 'new connections per second, ztunnel / haproxy chain',
        target: '>= 0.5',
        measured: newConnectionsRatio,
        unit: 'ratio',
        met: newConnectionsRatio >= 0.5,
      },
      atMost('ztunnel pair CPU per 1,000 req/s', cpu.ztunnelPair, 0.25, 'cores'),
      atMost(`peak RSS per ztunnel (VmHWM, ${WORKLOADS} workloads known)`, peakMB, 60, 'MB'),
    ];
    return {
      config: {
        response: '1 KiB, HTTP/1.1',
        workloadsKnown: WORKLOADS,
        throughput: { ...THROUGHPUT, tool: 'wrk -t 1' },
        newConnections: { ...NEW_CONNECTIONS, tool: "wrk -t 1 -H 'Connection: close'" },
        fixedRate: { ...FIXED_RATE, tool: 'bench/dataplane/open-loop.ts (wrk2 is not installed); latency from the scheduled send time' },
        ztunnel:
          'two bundled ztunnel processes (dist/proxies/ztunnel.cjs with the flags of `ambit ztunnel`, PROXY_NODE_FLAGS, --log-level warn), control plane in the bench process (idle while measuring)',
        haproxy: 'Debian haproxy 2.6, two processes, nbthread 1, mode tcp, mutual TLS 1.3 between them',
        server: 'Node http server in its own process',
      },
      results: {
        keepAliveRequestsPerSecond: { ...throughput, ztunnelOverHaproxy: throughputRatio },
        newConnectionsPerSecond: { ...newConnections, ztunnelOverHaproxy: newConnectionsRatio },
        fixedRateLatencyMs: { rounds: fixedRate.rounds, medians: fixedRate.medians, addedOverDirect: fixedRate.addedOverDirect },
        cpu: {
          coresPer1000RequestsPerSecond: cpu,
          ztunnelOverHaproxy: round2(cpu.ztunnelPair / cpu.haproxyPair),
          phase: fixedRate.cpu,
        },
        memoryMiB: memory,
        cpuProfiles: CPU_PROFILE_DIR ?? 'not taken (set AMBIT_BENCH_CPU_PROF=<dir>)',
      },
      targets,
    };
  } finally {
    await chain?.stop();
    await mesh?.stop();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'ztunnel',
  description: 'client → ztunnel → HBONE → ztunnel → server vs direct vs a haproxy mTLS chain (issue 4)',
  run,
};
