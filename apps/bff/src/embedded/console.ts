import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from './supervisor';

/**
 * The web console (apps/web, Next.js) as the embedded mesh runs it: built once (and again when
 * its sources change), then served by `next start`, talking to the BFF through its own
 * same-origin `/api/trpc` proxy.
 */
const WEB_DIR = fileURLToPath(new URL('../../../web', import.meta.url));

function nextBin(): string {
  const require = createRequire(join(WEB_DIR, 'package.json'));
  return join(dirname(require.resolve('next/package.json')), 'dist/bin/next');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `next build` must run: no build yet, or sources newer than it. */
export function consoleNeedsBuild(): boolean {
  const buildId = join(WEB_DIR, process.env.AMBIT_WEB_DIST_DIR ?? '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return newestSource(join(WEB_DIR, 'src')) > built || statSync(join(WEB_DIR, 'next.config.ts')).mtimeMs > built;
}

/** Runs `next build`, its output going to `log`; rejects with the tail of the output on failure. */
export function buildConsole(log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(), 'build'], {
      cwd: WEB_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        log(line);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`building the console failed (exit ${code}):\n${tail.join('\n')}`)),
    );
  });
}

export function consoleProcess(options: { port: number; bffUrl: string; logFile: string }): ProcessSpec {
  return {
    name: 'console',
    command: process.execPath,
    args: [nextBin(), 'start', '-p', String(options.port), '-H', '127.0.0.1'],
    cwd: WEB_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      AMBIT_BFF_URL: options.bffUrl,
      // next start reads the build folder from next.config, which reads this.
      ...(process.env.AMBIT_WEB_DIST_DIR ? { AMBIT_WEB_DIST_DIR: process.env.AMBIT_WEB_DIST_DIR } : {}),
    },
    logFile: options.logFile,
  };
}

/** Resolves once something accepts TCP connections on host:port; rejects after `timeoutMs`. */
export function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}
