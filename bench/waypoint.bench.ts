/**
 * Issue 5's data plane benchmark: HTTP/1.1 with 1 KiB answers on loopback through
 * client → ztunnel (node A) → HBONE → waypoint → HBONE → ztunnel (node B) → server, every proxy a
 * real process (the bundled `ambit ztunnel` ×2 and `ambit waypoint`) configured by the real control plane, in the
 * same run against (a) direct and (b) a chain of two haproxy (`nbthread 1`, `mode http`) with
 * mutual TLS 1.3 between them. Measures added latency at 1,000 req/s (open loop), keep-alive
 * throughput, and the waypoint's CPU and RSS. A diagnostic path through the same mesh without the
 * waypoint (client → ztunnel → HBONE → ztunnel → server, Service `web-l4`) splits the added latency
 * into the ztunnel pair's share and the waypoint hop's; it has no target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CpuPhase,
  cores,
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
import { SERVER_IP, SERVICE_PORT, SERVICE_VIP, startZtunnelMesh, ZTUNNEL_ONLY_VIP, type ZtunnelMesh } from './dataplane/ztunnel-mesh';
import { atMost, type Benchmark, type BenchmarkReport, type TargetCheck } from './harness';

/** AMBIT_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the waypoint and each ztunnel there. */
const CPU_PROFILE_DIR = process.env.AMBIT_BENCH_CPU_PROF;
const SERVER_PORT = 8080;
const WORKLOADS = 100;
const THROUGHPUT = { connections: 32, seconds: 8, rounds: 3 };
const FIXED_RATE = { ratePerSecond: 1000, seconds: 6, rounds: 3, connections: 8 };

async function run(log: (line: string) => void): Promise<BenchmarkReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'ambit-bench-waypoint-'));
  let server: BenchProcess | undefined;
  let mesh: ZtunnelMesh | undefined;
  let chain: HaproxyChain | undefined;
  try {
    server = await startUpstream(SERVER_IP, SERVER_PORT);
    mesh = await startZtunnelMesh({ serverPort: SERVER_PORT, workloads: WORKLOADS, waypoint: true, cpuProfileDir: CPU_PROFILE_DIR });
    const waypoint = mesh.waypoint as BenchProcess;
    const ports = [await freePort('127.0.0.1'), await freePort('127.0.0.1')] as const;
    chain = await startHaproxyChain({
      mode: 'http',
      dir: workDir,
      host: '127.0.0.1',
      ports,
      upstream: { host: SERVER_IP, port: SERVER_PORT },
    });
    const paths: Path[] = [
      { name: 'direct', host: SERVER_IP, port: SERVER_PORT, proxies: [] },
      { name: 'waypoint', host: SERVICE_VIP, port: SERVICE_PORT, proxies: [waypoint] },
      { name: 'haproxyL7', host: '127.0.0.1', port: chain.port, proxies: [...chain.processes] },
    ];
    // Diagnostic only, at the fixed rate: the same ztunnel pair without the waypoint.
    const ztunnelOnly: Path = { name: 'ztunnelOnly', host: ZTUNNEL_ONLY_VIP, port: SERVICE_PORT, proxies: [mesh.a, mesh.b] };
    const latencyPaths = [...paths, ztunnelOnly];
    for (const path of latencyPaths) await untilAnswering(path);
    log(`paths up: ${latencyPaths.map((p) => `${p.name} ${p.host}:${p.port}`).join(', ')}`);
    await warmUp(latencyPaths);

    const fixedRate = await measureFixedRate(latencyPaths, FIXED_RATE);
    const waypointMemoryAtRate = memoryMiB(waypoint.pid);
    const throughput = await measureWrk(paths, THROUGHPUT);
    log(`keep-alive req/s: ${paths.map((p) => `${p.name} ${throughput.rounds[p.name]?.join('/')}`).join('; ')}`);
    log(`at 1,000 req/s added over direct (ms): ${JSON.stringify(fixedRate.addedOverDirect)}`);
    const breakdown = addedLatencyBreakdown(fixedRate.medians);
    log(`waypoint path's added latency (ms), ztunnel pair / waypoint hop: ${JSON.stringify(breakdown)}`);
    const waypointCpu = fixedRate.cpu.waypoint as CpuPhase;
    const cpu = {
      waypointCores: cores(waypointCpu),
      waypointCoresPer1000: coresPer1000(waypointCpu),
      haproxyL7PairCoresPer1000: coresPer1000(fixedRate.cpu.haproxyL7 as CpuPhase),
      // Diagnostic: how long each path's proxies waited for a core per request (the 2 cores are shared by every process).
      runQueueWaitMicrosPerRequest: {
        waypoint: runQueueWaitMicrosPerRequest(waypointCpu),
        ztunnelPair: runQueueWaitMicrosPerRequest(fixedRate.cpu.ztunnelOnly as CpuPhase),
        haproxyL7Pair: runQueueWaitMicrosPerRequest(fixedRate.cpu.haproxyL7 as CpuPhase),
      },
    };
    const memory = {
      waypointAtFixedRate: waypointMemoryAtRate,
      waypointAfterThroughput: memoryMiB(waypoint.pid),
      ztunnelA: memoryMiB(mesh.a.pid),
      ztunnelB: memoryMiB(mesh.b.pid),
      haproxyFront: memoryMiB((chain.processes[0] as BenchProcess).pid),
      haproxyBack: memoryMiB((chain.processes[1] as BenchProcess).pid),
    };
    log(
      `waypoint at 1,000 req/s: ${cpu.waypointCores} cores, RSS ${waypointMemoryAtRate.rssMiB} MiB; haproxy L7 pair ${cpu.haproxyL7PairCoresPer1000} cores per 1,000 req/s; waiting for a core per request (µs): ${JSON.stringify(cpu.runQueueWaitMicrosPerRequest)}`,
    );

    const added = fixedRate.addedOverDirect.waypoint as { p50: number; p99: number };
    const throughputRatio = round2((throughput.median.waypoint ?? Number.NaN) / (throughput.median.haproxyL7 ?? Number.NaN));
    const rssMB = Math.round(waypointMemoryAtRate.rssMiB * 1.048576 * 10) / 10;
    const targets: TargetCheck[] = [
      atMost('added p99 at 1,000 req/s (ztunnel → waypoint → ztunnel)', added.p99, 2, 'ms'),
      {
        metric: 'keep-alive throughput, waypoint path / haproxy L7 chain',
        target: '>= 0.5',
        measured: throughputRatio,
        unit: 'ratio',
        met: throughputRatio >= 0.5,
      },
      atMost('waypoint CPU at 1,000 req/s', cpu.waypointCores, 0.3, 'cores'),
      atMost('waypoint RSS at 1,000 req/s', rssMB, 100, 'MB'),
    ];
    return {
      config: {
        response: '1 KiB, HTTP/1.1',
        workloadsKnown: WORKLOADS,
        throughput: { ...THROUGHPUT, tool: 'wrk -t 1' },
        fixedRate: { ...FIXED_RATE, tool: 'bench/dataplane/open-loop.ts (wrk2 is not installed); latency from the scheduled send time' },
        mesh: 'two bundled ztunnel processes and one bundled waypoint (dist/proxies/*.cjs with the flags of `ambit ztunnel` / `ambit waypoint`, PROXY_NODE_FLAGS, --log-level warn), control plane in the bench process (idle while measuring); no HTTPRoute (default route)',
        haproxy: 'Debian haproxy 2.6, two processes, nbthread 1, mode http, mutual TLS 1.3 between them',
        server: 'Node http server in its own process',
        diagnostic:
          'ztunnelOnly: the same mesh without the waypoint (Service web-l4), fixed rate only, no target; waypointPathBreakdown splits the added latency into ztunnel pair and waypoint hop',
      },
      results: {
        fixedRateLatencyMs: {
          rounds: fixedRate.rounds,
          medians: fixedRate.medians,
          addedOverDirect: fixedRate.addedOverDirect,
          waypointPathBreakdown: breakdown,
        },
        keepAliveRequestsPerSecond: { ...throughput, waypointOverHaproxyL7: throughputRatio },
        cpu: { ...cpu, phase: fixedRate.cpu },
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

type Percentiles = { p50: number; p90: number; p99: number };

/**
 * Diagnostic: of the waypoint path's latency over direct, how much the ztunnel pair alone adds
 * (ztunnelOnly − direct) and how much the waypoint hop adds on top (waypoint − ztunnelOnly), from
 * the same run's medians over rounds.
 */
function addedLatencyBreakdown(medians: Record<string, Percentiles>) {
  const direct = medians.direct as Percentiles;
  const pair = medians.ztunnelOnly as Percentiles;
  const waypoint = medians.waypoint as Percentiles;
  const share = (from: Percentiles, to: Percentiles) => ({
    p50: round2(to.p50 - from.p50),
    p90: round2(to.p90 - from.p90),
    p99: round2(to.p99 - from.p99),
  });
  return { ztunnelPair: share(direct, pair), waypointHop: share(pair, waypoint) };
}

export const benchmark: Benchmark = {
  name: 'waypoint',
  description: 'client → ztunnel → waypoint → ztunnel → server vs direct vs a haproxy L7 mTLS chain (issue 5)',
  run,
};
