/**
 * The ztunnel and waypoint processes run as one bundled JavaScript file each (esbuild), not as
 * TypeScript through tsx: the loader alone costs a proxy ~40 MB of memory and a second of CPU to
 * start. Launchers call `ensureProxyBundles()`, which builds when the bundle is missing or older
 * than the sources, so a fresh clone needs no build step; `npm run build -w @ambit/dataplane`
 * builds it by hand.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ProxyKind = 'ztunnel' | 'waypoint';

const PROXY_KINDS: readonly ProxyKind[] = ['ztunnel', 'waypoint'];

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** Everything the bundles are made of that can change in this checkout. */
const SOURCE_DIRS = [join(PACKAGE_DIR, 'src'), join(PACKAGE_DIR, '../shared/src')];
const OUT_DIR = join(PACKAGE_DIR, 'dist/proxies');
const ENTRIES: Record<ProxyKind, string> = {
  ztunnel: join(PACKAGE_DIR, 'src/process/ztunnel-process.ts'),
  waypoint: join(PACKAGE_DIR, 'src/process/waypoint-process.ts'),
};

/**
 * Node flags every launcher passes to a proxy process. The ztunnel's young generation is capped at
 * 1 MiB (default 16 MiB semi-spaces): its RSS stays ~25 MiB lower under load for a few percent more
 * GC, since what it allocates per chunk dies young. The waypoint keeps the default: it holds each
 * request's objects across several event-loop turns, and with 1 MiB its GC share rose from ~3 % to
 * ~29 % of its busy time (bench/results/profiles/README.md). 4 MiB (tried 2026-11-27 with the llhttp
 * request reader) made scavenges shorter but four times as frequent, moved neither p99 nor RSS beyond
 * the noise (full bench: 2.44 vs 2.53 ms added p99, 77.7 vs 75.7 MB) and cost CPU per request at
 * saturation. `--min-semi-space-size=16` (2026-11-27, fifth pass) cut its scavenges from ~10/s to
 * under 1/s at 1,000 req/s but put its RSS at 102 MiB (107 MB, over the 100 MB target) with no p99
 * gain shown; `--single-threaded-gc` shortened the longest scavenge pauses a little and showed no
 * p99 gain on the loaded machine (bench/README.md, waypoint fifth pass): neither is kept. One V8 worker thread instead of four saves the ztunnel ~3–4 MiB of thread stacks and
 * allocator arenas; its heap is small enough that concurrent GC work gains nothing measurable from
 * more (bench/README.md, ztunnel section).
 */
export const PROXY_NODE_FLAGS: Record<ProxyKind, readonly string[]> = {
  // --heap-growing-percent=10: with a 1 MiB young generation, connection churn promotes short-lived
  // objects, and with V8's default growth the old generation grew by ~25 MiB before its first full GC
  // (bench peak RSS 99–105 → 79–83 MB). --optimize-for-size saved as much but cost ~17 % keep-alive
  // throughput (0.97–1.00 → 0.79–0.83 × the haproxy chain in the same runs, 2026-11-27).
  ztunnel: ['--max-semi-space-size=1', '--v8-pool-size=1', '--heap-growing-percent=10'],
  waypoint: [],
};

/** Where the bundle of `kind` is (built or not). */
export function proxyBundlePath(kind: ProxyKind): string {
  return join(OUT_DIR, `${kind}.cjs`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether a bundle (of `kinds`, default both) is missing or older than a source file. */
export function proxyBundlesStale(kinds: readonly ProxyKind[] = PROXY_KINDS): boolean {
  const paths = kinds.map((kind) => proxyBundlePath(kind));
  if (!paths.every((path) => existsSync(path))) return true;
  const built = Math.min(...paths.map((path) => statSync(path).mtimeMs));
  return SOURCE_DIRS.some((dir) => newestSource(dir) > built);
}

/**
 * Builds the bundles of `kinds` (default both) into a fresh folder, then renames them into place:
 * concurrent launchers never read half a file. One build per kind, so a launcher of ztunnels alone
 * is not stopped by a waypoint source that does not compile at the moment.
 */
export async function buildProxyBundles(kinds: readonly ProxyKind[] = PROXY_KINDS): Promise<void> {
  for (const kind of kinds) await buildProxyBundle(kind);
}

async function buildProxyBundle(kind: ProxyKind): Promise<void> {
  const { build } = await import('esbuild');
  mkdirSync(OUT_DIR, { recursive: true });
  const staging = mkdtempSync(join(OUT_DIR, '.build-'));
  try {
    await build({
      entryPoints: { [kind]: ENTRIES[kind] },
      outdir: staging,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'linked',
      // V8 keeps each bundle's whole source in the heap, twice as large once one comment has a
      // non-ASCII character: no whitespace or comments keeps it ASCII and ~40 % smaller (~1.5 MiB RSS).
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'external',
      logLevel: 'warning',
      plugins: [
        ...(kind === 'ztunnel' ? [withoutReflectionCodecs] : []),
        {
          // CommonJS output has no import.meta; each module keeps the URL of its own source, which
          // is what it resolves files against (packages/shared finds its .proto files that way).
          name: 'import-meta-url',
          setup(plugin) {
            plugin.onLoad({ filter: /\.ts$/ }, (args) => {
              const source = readFileSync(args.path, 'utf8');
              const url = JSON.stringify(pathToFileURL(args.path).href);
              return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
            });
          },
        },
      ],
    });
    for (const file of readdirSync(staging)) renameSync(join(staging, file), join(OUT_DIR, file));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The ztunnel subscribes only to types the wire codec reads (Address, Authorization, Node); the
 * reflection codecs (Envoy's schemas through protobufjs) are a dynamic import it never takes. Left
 * in, their ~150 KB of source sit in the heap as part of the bundle's source string; here they are
 * a module that says what is missing if a ztunnel is ever asked for such a type.
 */
const withoutReflectionCodecs = {
  name: 'ztunnel-without-reflection-codecs',
  setup(plugin: import('esbuild').PluginBuild) {
    plugin.onResolve({ filter: /\/reflection-resource-types$/ }, (args) => ({ path: args.path, namespace: 'ztunnel-stub' }));
    plugin.onLoad({ filter: /.*/, namespace: 'ztunnel-stub' }, () => ({
      contents: `export function reflectionResourceType(typeUrl) {
  const fail = () => { throw new Error('the ztunnel decodes only workload API and Node resources, not ' + typeUrl); };
  return { typeUrl, decode: fail, nameOf: fail };
}`,
      loader: 'js',
    }));
  },
};

/** Builds the bundles of `kinds` (default both) that are missing or stale; returns where each one is. */
export async function ensureProxyBundles(kinds: readonly ProxyKind[] = PROXY_KINDS): Promise<Record<ProxyKind, string>> {
  const stale = kinds.filter((kind) => proxyBundlesStale([kind]));
  if (stale.length > 0) await buildProxyBundles(stale);
  return { ztunnel: proxyBundlePath('ztunnel'), waypoint: proxyBundlePath('waypoint') };
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  buildProxyBundles().then(
    () => process.stdout.write(`built ${dirname(proxyBundlePath('ztunnel'))}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
