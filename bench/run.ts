/**
 * `npm run bench [-- NAME...]`: runs bench/<NAME>.bench.ts (every *.bench.ts when none is named),
 * one after another, and writes each report to bench/results/<NAME>.json with the machine it ran on.
 * Exits 1 when a benchmark fails to run; a missed target is recorded in the report, not an error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchmarkReport } from './harness';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const SUFFIX = '.bench.ts';

function benchNames(args: readonly string[]): string[] {
  const available = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
  if (args.length === 0) return available;
  const names = args.map((arg) => basename(arg).replace(/\.bench\.ts$/, ''));
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(`no benchmark named ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}`);
  }
  return names;
}

/** The 1-, 5- and 15-minute load averages, rounded. */
function loadAverages(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

function environment(load: number, loadAtEnd: readonly number[]) {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    // Other work on the machine slows the samples down; this says how busy it was when the benchmark started.
    loadAverage1mAtStart: load,
    // 1, 5 and 15 minutes when it finished: a busy machine during the run shows in the 5-minute figure.
    loadAverageAtEnd: loadAtEnd,
    commit,
  };
}

function printTargets(report: BenchmarkReport): void {
  for (const target of report.targets) {
    const verdict = target.met ? 'met' : 'NOT MET';
    process.stdout.write(`  ${target.metric}: ${target.measured} ${target.unit} (target ${target.target}) ${verdict}\n`);
  }
}

async function main(): Promise<void> {
  const names = benchNames(process.argv.slice(2));
  mkdirSync(RESULTS_DIR, { recursive: true });
  let failed = false;
  for (const name of names) {
    const module = (await import(join(BENCH_DIR, `${name}${SUFFIX}`))) as { benchmark?: Benchmark };
    const benchmark = module.benchmark;
    if (!benchmark) throw new Error(`bench/${name}${SUFFIX} exports no \`benchmark\``);
    process.stdout.write(`bench ${name}: ${benchmark.description}\n`);
    const startedAt = new Date();
    const load = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const started = performance.now();
    try {
      const report = await benchmark.run((line) => process.stdout.write(`  ${line}\n`));
      const file = join(RESULTS_DIR, `${name}.json`);
      const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
      const output = {
        name,
        description: benchmark.description,
        startedAt: startedAt.toISOString(),
        durationSeconds,
        environment: environment(load, loadAverages()),
        ...report,
      };
      writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
      printTargets(report);
      process.stdout.write(`  ${durationSeconds} s; results in ${file}\n`);
    } catch (error) {
      failed = true;
      process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
