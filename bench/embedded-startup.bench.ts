/**
 * Issue 6's startup target: `ambit up` with the demo (Bookinfo in namespace `demo` behind a
 * waypoint, two nodes), from spawning the process to the first request answered through the mesh
 * — productpage's page, whose own calls to details and reviews (→ ratings) must answer too, every
 * hop client ztunnel → waypoint → server ztunnel. The request is sent the
 * way `ambit curl --from demo/productpage` sends it (from the productpage pod's address to the
 * service address its node's ztunnel serves), but directly, every 100 ms, so the CLI's own start
 * is not counted. Cold starts use a fresh data directory (the demo is applied); the warm start
 * restarts on the last one. Phases come from the processes' logs. Target: first request ≤ 15 s.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StoredObject } from '@ambit/control-plane/store';
import { findSourcePod, resolveServiceAddress } from '../apps/bff/src/embedded/mesh-address';
import { startAmbitUp } from '../apps/bff/test/ambit-up';
import { atMost, type Benchmark, summarize } from './harness';

const BIN = fileURLToPath(new URL('../apps/bff/bin/ambit.js', import.meta.url));
const RUNS = Number(process.env.AMBIT_BENCH_RUNS ?? 3);
/** Nodes 91-92 (127.101-102.x.x): clear of the tests' addresses, so a test run may go on beside it. */
const FIRST_NODE = '91';
const TARGET_MS = 15_000;
const run = promisify(execFile);

interface StartupSample {
  /** Until `ambit up` printed "Ambit is up": control plane, node tokens, ztunnel and pod processes launched. */
  upMs: number;
  /** Until the first productpage page answered 200 with details and reviews 200, through the waypoint. */
  firstRequestMs: number;
  /** From the logs, since spawning: every ztunnel connected to the control plane; the waypoint serving. */
  ztunnelsConnectedMs?: number;
  waypointServingMs?: number;
}

async function ambit(dataDir: string, ...args: string[]): Promise<StoredObject[]> {
  const { stdout } = await run(process.execPath, [BIN, '--data-dir', dataDir, ...args, '-o', 'json'], { maxBuffer: 64 << 20 });
  return (JSON.parse(stdout) as { items: StoredObject[] }).items;
}

/** Where productpage's pod sends from and the productpage address its node's ztunnel serves, once both exist. */
async function productpageRoute(dataDir: string): Promise<{ from: string; to: string }> {
  for (;;) {
    try {
      const [pods, services] = await Promise.all([ambit(dataDir, 'get', 'pods', '-n', 'demo'), ambit(dataDir, 'get', 'svc', '-n', 'demo')]);
      const lookup = { pods: () => pods, service: (_ns: string, name: string) => services.find((s) => s.metadata.name === name) };
      const pod = findSourcePod(lookup, 'demo', 'productpage');
      return { from: pod.status?.podIP as string, to: resolveServiceAddress(lookup, 'productpage', 'demo', pod.spec.nodeName ?? '') };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** True when productpage answers its page with details and reviews both 200. */
function pageAnswers(route: { from: string; to: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: route.to, port: 9080, path: '/productpage', localAddress: route.from, agent: false, timeout: 5_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const page = JSON.parse(Buffer.concat(chunks).toString()) as { details?: { status: number }; reviews?: { status: number } };
            resolve(response.statusCode === 200 && page.details?.status === 200 && page.reviews?.status === 200);
          } catch {
            resolve(false);
          }
        });
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Times (epoch ms) of log lines matching `message` in the JSON log files below `dir`. */
function logTimes(dir: string, message: RegExp): number[] {
  const out: number[] = [];
  let files: string[];
  try {
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log'));
  } catch {
    return out;
  }
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!message.test(line)) continue;
      try {
        out.push((JSON.parse(line) as { time: number }).time);
      } catch {
        // Not a JSON line.
      }
    }
  }
  return out;
}

async function measure(dataDir: string): Promise<StartupSample> {
  mkdirSync(join(dataDir, '..'), { recursive: true });
  const spawnedWall = Date.now();
  const up = startAmbitUp(dataDir, ['--first-node', FIRST_NODE], join(dataDir, '..', `up-${spawnedWall}.log`));
  try {
    await up.ready(60_000);
    const upMs = performance.now() - up.spawnedAt;
    const route = await productpageRoute(dataDir);
    while (!(await pageAnswers(route))) await new Promise((resolve) => setTimeout(resolve, 100));
    const sample: StartupSample = { upMs, firstRequestMs: performance.now() - up.spawnedAt };
    const logs = join(dataDir, 'logs');
    const since = (times: number[], count: number) => (times.length >= count ? Math.max(...times) - spawnedWall : undefined);
    const fresh = (times: number[]) => times.filter((t) => t >= spawnedWall);
    const ztunnels = since(fresh(logTimes(join(logs, 'ztunnel'), /connected to the control plane/)), 2);
    const waypoint = since(fresh(logTimes(join(logs, 'pods'), /"msg":"waypoint started"/)), 1);
    if (ztunnels !== undefined) sample.ztunnelsConnectedMs = ztunnels;
    if (waypoint !== undefined) sample.waypointServingMs = waypoint;
    return sample;
  } finally {
    await up.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'embedded-startup',
  description: 'ambit up with the demo: from spawn to the first request answered through ztunnel → waypoint → ztunnel',
  async run(log) {
    const cold: StartupSample[] = [];
    let warm: StartupSample | undefined;
    const work = mkdtempSync(join(tmpdir(), 'ambit-bench-startup-'));
    try {
      for (let i = 0; i < RUNS; i++) {
        const dataDir = join(work, `run-${i}`, 'data');
        const sample = await measure(dataDir);
        cold.push(sample);
        log(`cold start ${i + 1}/${RUNS}: ${JSON.stringify(rounded(sample))}`);
        if (i === RUNS - 1) {
          warm = await measure(dataDir);
          log(`warm restart: ${JSON.stringify(rounded(warm))}`);
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const first = summarize(cold.map((s) => s.firstRequestMs));
    return {
      config: {
        runs: RUNS,
        nodes: 2,
        demo: 'Bookinfo (upstream files) + waypoint + loadgen in namespace demo',
        firstNode: Number(FIRST_NODE),
      },
      results: {
        coldFirstRequestMs: first,
        coldUpMs: summarize(cold.map((s) => s.upMs)),
        coldRuns: cold.map(rounded),
        warmRestart: warm && rounded(warm),
      },
      targets: [atMost('cold start to first request through the mesh (slowest run)', Math.round(first.max), TARGET_MS, 'ms')],
    };
  },
};

function rounded(sample: StartupSample): Record<string, number> {
  return Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, Math.round(value as number)]));
}
