/**
 * The control plane at the scale issue 3 asks for: 10,000 workloads on 50 nodes, 1,000 services,
 * 100 connected delta-ADS clients subscribed to Address and Authorization, all through the real
 * `startControlPlane` (SQLite store → registry → translators → xDS) in a child process, so its CPU
 * time and peak memory are measured alone. Measures a new client's full sync, the time from an
 * AuthorizationPolicy write until all 100 clients ACKed it, CPU and peak RSS, and — in the same
 * run, in a fresh process — the same view served from memory without store or registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypeUrl } from '@ambit/shared/xds';
import type { BenchDeltaClient } from './control-plane/delta-client';
import { type MeshSize, nodeName, type RoundKind, roundPolicy } from './control-plane/mesh';
import type { BaselineRequest, ControlPlaneRequest, CpuUsage } from './control-plane/protocol';
import { ServerProcess } from './control-plane/server-process';
import { assertSameView, connectAll, type SyncTarget, timeAdsClientFullSyncs, timeFullSyncs } from './control-plane/syncs';
import { atMost, type Benchmark, type BenchmarkReport, summarize } from './harness';

const HERE = dirname(fileURLToPath(import.meta.url));
const TYPES = [TypeUrl.address, TypeUrl.authorization] as const;
/** AMBIT_BENCH_SCALE=0.1 runs a tenth of the mesh, for trying the benchmark out; results say so. */
const SCALE = Number(process.env.AMBIT_BENCH_SCALE ?? 1);
/** AMBIT_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the control plane process there. */
const CPU_PROFILE_DIR = process.env.AMBIT_BENCH_CPU_PROF;

const SIZE: MeshSize = {
  nodes: 50,
  namespaces: Math.max(1, Math.round(50 * SCALE)),
  servicesPerNamespace: 20,
  podsPerService: 10,
  policies: Math.max(20, Math.round(200 * SCALE)),
};
const CLIENTS = 100;
const FULL_SYNC_SAMPLES = 20;
const ADS_CLIENT_SAMPLES = 10;
const ROUNDS = 20;
const BASELINE_SAMPLES = 20;
const SYNC_TIMEOUT_MS = 120_000;
const ROUND_TIMEOUT_MS = 10_000;

const cpuSeconds = (from: CpuUsage, to: CpuUsage) => Math.round((to.user - from.user + to.system - from.system) / 1e4) / 100;
const round1 = (value: number) => Math.round(value * 10) / 10;
const megabytes = (mib: number) => round1(mib * 1.048576);

async function run(log: (line: string) => void): Promise<BenchmarkReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'ambit-bench-'));
  const controlPlane = ServerProcess.fork<ControlPlaneRequest>(
    'control plane',
    join(HERE, 'control-plane', 'control-plane-process.ts'),
    [],
    CPU_PROFILE_DIR,
  );
  let baselineProcess: ServerProcess<BaselineRequest> | undefined;
  const clients: BenchDeltaClient[] = [];
  try {
    const started = await controlPlane.started;
    const target: SyncTarget = { address: `127.0.0.1:${started.xdsPort}`, typeUrls: TYPES, nodes: SIZE.nodes, timeoutMs: SYNC_TIMEOUT_MS };
    const cpuAt: Record<string, CpuUsage> = { start: started.cpu };
    const memoryAt: Record<string, { rssMiB: number; heapUsedMiB: number }> = {};
    const usage = async (phase: string) => {
      const reply = await controlPlane.call({ type: 'usage' }, 'usage');
      cpuAt[phase] = reply.cpu;
      memoryAt[phase] = { rssMiB: reply.rssMiB, heapUsedMiB: reply.heapUsedMiB };
    };
    const cpuBetween = (from: string, to: string) => cpuSeconds(cpuAt[from] as CpuUsage, cpuAt[to] as CpuUsage);

    const seeded = await controlPlane.call({ type: 'seed', size: SIZE }, 'seeded');
    await usage('seeded');
    log(
      `mesh: ${seeded.workloads} workloads on ${SIZE.nodes} nodes, ${seeded.services} services, ${seeded.policies} policies ` +
        `(apply ${Math.round(seeded.applyMs)} ms, pod status ${Math.round(seeded.statusMs)} ms)`,
    );

    // 100 ztunnel-like clients connect at once, two per node.
    const connect = await connectAll(target, CLIENTS, 'bench-ztunnel-');
    clients.push(...connect.clients);
    await usage('connected');
    const perClient = (clients[0] as BenchDeltaClient).heldByType();
    log(`${CLIENTS} clients synced in ${Math.round(connect.allSyncedMs)} ms (each holds ${JSON.stringify(perClient)})`);

    const fullSync = await timeFullSyncs(target, FULL_SYNC_SAMPLES, 'bench-new-');
    assertSameView('a new client', fullSync.resources, perClient);
    const fullSyncSummary = summarize(fullSync.samples);
    await usage('fullSyncs');
    log(
      `new client full sync: p50 ${fullSyncSummary.p50} ms, p99 ${fullSyncSummary.p99} ms (${(fullSync.bytes / 2 ** 20).toFixed(1)} MiB)`,
    );

    let adsClient: Record<string, unknown>;
    try {
      const measured = await timeAdsClientFullSyncs(target, ADS_CLIENT_SAMPLES);
      adsClient = { ...summarize(measured.samples), resourcesDecoded: measured.resourcesDecoded };
      log(`new client full sync with the dataplane AdsClient: p50 ${summarize(measured.samples).p50} ms`);
    } catch (error) {
      adsClient = { error: error instanceof Error ? error.message : String(error) };
      log(`the dataplane AdsClient variant failed: ${String(adsClient.error)}`);
    }
    await usage('adsClientFullSyncs');

    // AuthorizationPolicy writes, alternating an edit of one policy and a new policy selecting an app.
    const convergence: Record<RoundKind, number[]> = { edit: [], create: [] };
    const applyMs: number[] = [];
    let serverConfirmedRounds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const kind: RoundKind = round % 2 === 0 ? 'edit' : 'create';
      const { resourceName } = roundPolicy(round, kind, SIZE);
      const acks = clients.map((client) => client.ackOf(TypeUrl.authorization, resourceName, ROUND_TIMEOUT_MS));
      const writeStarted = performance.now();
      const applied = await controlPlane.call({ type: 'apply-policy', round, kind, size: SIZE }, 'applied');
      const ackedAt = await Promise.all(acks);
      convergence[kind].push(Math.max(...ackedAt) - writeStarted);
      applyMs.push(applied.applyMs);
      // The server's own record must agree: every client's latest Authorization push ACKed.
      for (let attempt = 0; attempt < 50; attempt++) {
        const acked = await controlPlane.call({ type: 'acked', typeUrl: TypeUrl.authorization, proxyIdPrefix: 'bench-ztunnel-' }, 'acked');
        if (acked.proxies === CLIENTS && acked.acked === CLIENTS) {
          serverConfirmedRounds++;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const allRounds = summarize([...convergence.edit, ...convergence.create]);
    await usage('rounds');
    const memory = controlPlane.memory();
    log(`policy change → ${CLIENTS} ACKs: p50 ${allRounds.p50} ms, p99 ${allRounds.p99} ms; peak RSS ${memory.peakRssMiB} MiB`);

    // Baseline: node-0's view as translated now (the rounds added policies), served from memory by a fresh process.
    const current = await timeFullSyncs(target, 1, 'bench-reference-');
    const viewFile = join(workDir, 'view.json');
    await controlPlane.call({ type: 'export-view', nodeName: nodeName(0), file: viewFile }, 'view-exported');
    for (const client of clients.splice(0)) client.close();
    baselineProcess = ServerProcess.fork<BaselineRequest>('baseline', join(HERE, 'control-plane', 'baseline-process.ts'), [viewFile]);
    const baselineStarted = await baselineProcess.started;
    const baselineTarget: SyncTarget = { ...target, address: `127.0.0.1:${baselineStarted.xdsPort}` };
    const encoded = await baselineProcess.call({ type: 'encode-addresses', repetitions: 10 }, 'encoded');
    const baselineSync = await timeFullSyncs(baselineTarget, BASELINE_SAMPLES, 'bench-baseline-new-');
    assertSameView('a baseline client', baselineSync.resources, current.resources);
    const baselineSummary = summarize(baselineSync.samples);
    const baselineConnect = await connectAll(baselineTarget, CLIENTS, 'bench-baseline-ztunnel-');
    for (const client of baselineConnect.clients) client.close();
    const baselineMemory = baselineProcess.memory();
    const baselineCpu = (await baselineProcess.call({ type: 'usage' }, 'usage')).cpu;
    log(
      `baseline (no registry): ${CLIENTS} clients synced in ${Math.round(baselineConnect.allSyncedMs)} ms; new client full sync ` +
        `p50 ${baselineSummary.p50} ms; raw encode of ${encoded.resources} Addresses p50 ${summarize(encoded.encodeMs).p50} ms`,
    );

    const peakRssMB = megabytes(memory.peakRssMiB);
    return {
      config: {
        scale: SCALE,
        mesh: { ...SIZE, workloads: seeded.workloads, services: seeded.services, policies: seeded.policies },
        clients: CLIENTS,
        clientsPerNode: CLIENTS / SIZE.nodes,
        subscriptions: ['istio.workload.Address', 'istio.security.Authorization'],
        fullSyncSamples: FULL_SYNC_SAMPLES,
        adsClientSamples: ADS_CLIENT_SAMPLES,
        policyRounds: ROUNDS,
        baselineSamples: BASELINE_SAMPLES,
        percentiles: 'nearest rank; with 20 samples p99 is the slowest sample',
      },
      results: {
        seedMs: { apply: round1(seeded.applyMs), podStatus: round1(seeded.statusMs) },
        connect100Clients: {
          allSyncedMs: round1(connect.allSyncedMs),
          perClient: summarize(connect.perClientMs),
          resourcesPerClient: perClient,
        },
        fullSyncMs: {
          leanDeltaClient: { ...fullSyncSummary, resources: fullSync.resources, bytes: fullSync.bytes },
          dataplaneAdsClient: adsClient,
        },
        policyChangeToAllAcksMs: {
          all: allRounds,
          editExistingPolicy: summarize(convergence.edit),
          createPolicySelectingAnApp: summarize(convergence.create),
          storeApplyMs: summarize(applyMs),
          roundsConfirmedByServer: `${serverConfirmedRounds}/${ROUNDS}`,
        },
        controlPlaneProcess: {
          cpuSeconds: {
            total: cpuBetween('start', 'rounds'),
            startAndSeed: cpuBetween('start', 'seeded'),
            connect100Clients: cpuBetween('seeded', 'connected'),
            fullSyncs: cpuBetween('connected', 'fullSyncs'),
            adsClientFullSyncs: cpuBetween('fullSyncs', 'adsClientFullSyncs'),
            policyRounds: cpuBetween('adsClientFullSyncs', 'rounds'),
          },
          peakRssMiB: memory.peakRssMiB,
          peakRssMB,
          rssAtEndMiB: memory.rssMiB,
          afterPhase: memoryAt,
        },
        baselineNoRegistry: {
          what: "node-0's Address + Authorization view, translated by the control plane, served from memory (MemoryResourceSource) by the same xDS server in a fresh process",
          fullSyncMs: { ...baselineSummary, bytes: baselineSync.bytes },
          connect100ClientsAllSyncedMs: round1(baselineConnect.allSyncedMs),
          rawEncodeAllAddressesMs: { ...summarize(encoded.encodeMs), resources: encoded.resources, bytes: encoded.encodedBytes },
          process: { cpuSeconds: cpuSeconds(baselineStarted.cpu, baselineCpu), peakRssMiB: baselineMemory.peakRssMiB },
          fullSyncRatioP50: round1(fullSyncSummary.p50 / baselineSummary.p50),
          connect100ClientsRatio: round1(connect.allSyncedMs / baselineConnect.allSyncedMs),
        },
      },
      targets: [
        atMost('policy change to all 100 ACKs, p99', allRounds.p99, 500, 'ms'),
        atMost('new client full sync, p99', fullSyncSummary.p99, 1000, 'ms'),
        atMost('control plane peak RSS (VmHWM)', peakRssMB, 600, 'MB'),
      ],
    };
  } finally {
    for (const client of clients) client.close();
    await baselineProcess?.stop();
    await controlPlane.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'control-plane',
  description: '10,000 workloads, 1,000 services, 100 delta-ADS clients through the real control plane',
  run,
};
