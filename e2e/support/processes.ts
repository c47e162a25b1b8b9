import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningProcess {
  /** Every line it wrote, for the failure message. */
  output: () => string;
  stop: () => Promise<void>;
}

const started = new Set<ChildProcess>();

// A crash of the test runner must not leave servers behind: kill every group we started.
process.on('exit', () => {
  for (const child of started) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole process group (npx → next-server, tsx → node).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts a command in its own process group, so stop() also ends the processes it spawned. */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let log = '';
  const listeners = new Set<(text: string) => void>();
  const onText = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    log += text;
    for (const listener of listeners) listener(log);
  };
  child.stdout?.on('data', onText);
  child.stderr?.on('data', onText);
  const exited = once(child, 'exit');
  const stop = async () => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    if (child.exitCode === null && child.signalCode === null) await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL');
    started.delete(child);
  };
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or time runs out. */
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = (text: string) => {
        const match = text.match(pattern);
        if (match) finish(() => resolve(match));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${log}`))),
        timeoutMs,
      );
      const onExit = () => finish(() => reject(new Error(`${command} exited before printing ${pattern}:\n${log}`)));
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
        settle();
      };
      child.on('exit', onExit);
      listeners.add(check);
      check(log);
    });
  return { output: () => log, stop, waitFor };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface AmbitServe extends RunningProcess {
  bffUrl: string;
  adminPassword: string;
}

/** `ambit serve` on free ports with its own data directory; reads the API address and the admin password it prints once. */
export async function startAmbitServe(dataDir: string): Promise<AmbitServe> {
  const ports = ['--port', '0', '--xds-port', '0', '--secure-xds-port', '0', '--monitoring-port', '0'];
  const serve = launch(
    process.execPath,
    ['apps/bff/bin/ambit.js', '--data-dir', dataDir, 'serve', ...ports],
    { AMBIT_LOG_LEVEL: 'warn' },
    REPO_ROOT,
  );
  try {
    const [, apiUrl] = await serve.waitFor(/Ambit API on (http:\/\/[^\s]+)\/api\/trpc/, 60_000);
    const [, password] = await serve.waitFor(/password: (\S+)/, 10_000);
    if (!apiUrl || !password) throw new Error(`ambit serve printed no address or password:\n${serve.output()}`);
    return { bffUrl: apiUrl, adminPassword: password, output: serve.output, stop: serve.stop };
  } catch (error) {
    await serve.stop();
    throw error;
  }
}

/** The built console (`next start`) on a free port, talking to the BFF at bffUrl. */
export async function startWeb(bffUrl: string): Promise<RunningProcess & { url: string }> {
  const port = await freePort();
  const next = launch(
    process.execPath,
    [fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url)), 'start', '-p', String(port), '-H', '127.0.0.1'],
    { AMBIT_BFF_URL: bffUrl, NEXT_TELEMETRY_DISABLED: '1' },
    `${REPO_ROOT}apps/web`,
  );
  try {
    await next.waitFor(/Ready in/, 60_000);
    return { url: `http://127.0.0.1:${port}`, output: next.output, stop: next.stop };
  } catch (error) {
    await next.stop();
    throw error;
  }
}

export interface AmbitUp extends RunningProcess {
  consoleUrl: string;
  adminPassword: string;
}

/**
 * `ambit up` with the demo, on node addresses 127.91.x.x (--first-node 81, clear of a developer's own mesh) and
 * free ports; resolves once it printed the admin password and "Console ready". Its supervised children share its
 * process group, so stop() ends the ztunnels, waypoint, workloads and console too. Each e2e file passes its own
 * `firstNode` so files running side by side do not share node addresses.
 */
export async function startAmbitUp(dataDir: string, options: { firstNode?: number } = {}): Promise<AmbitUp> {
  const consolePort = await freePort();
  const ports = ['--xds-port', '0', '--secure-xds-port', '0', '--monitoring-port', '0', '--api-port', '0'];
  const up = launch(
    process.execPath,
    [
      'apps/bff/bin/ambit.js',
      '--data-dir',
      dataDir,
      'up',
      '--first-node',
      String(options.firstNode ?? 81),
      ...ports,
      '--console-port',
      String(consolePort),
    ],
    { AMBIT_LOG_LEVEL: 'warn' },
    REPO_ROOT,
  );
  try {
    const [, password] = await up.waitFor(/password: (\S+)/, 60_000);
    const [, consoleUrl] = await up.waitFor(/Console ready: (http:\/\/\S+)/, 90_000);
    if (!password || !consoleUrl) throw new Error(`ambit up printed no password or console address:\n${up.output()}`);
    await untilAnswering(`${consoleUrl}/login`, 30_000);
    return { consoleUrl, adminPassword: password, output: up.output, stop: up.stop };
  } catch (error) {
    await up.stop();
    throw error;
  }
}

/** Polls url until it answers (bounded): `ambit up` prints "Console ready" once it started `next start`, before it listens. */
async function untilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${problem}`);
}

/**
 * `ambit up --no-console` (mesh, demo and console API) plus the built console started here with `startWeb`, which
 * passes this process's environment on: the console `ambit up` supervises gets only a fixed set of variables, so it
 * would serve `.next` whatever AMBIT_WEB_DIST_DIR the test runs with.
 */
export async function startAmbitUpWithWeb(dataDir: string, options: { firstNode?: number } = {}): Promise<AmbitUp> {
  const ports = ['--xds-port', '0', '--secure-xds-port', '0', '--monitoring-port', '0', '--api-port', '0'];
  const firstNode = String(options.firstNode ?? 81);
  const up = launch(
    process.execPath,
    ['apps/bff/bin/ambit.js', '--data-dir', dataDir, 'up', '--first-node', firstNode, ...ports, '--no-console'],
    { AMBIT_LOG_LEVEL: 'warn' },
    REPO_ROOT,
  );
  try {
    const [, password] = await up.waitFor(/password: (\S+)/, 60_000);
    const [, bffUrl] = await up.waitFor(/Console API: (http:\/\/\S+)\/api\/trpc/, 10_000);
    if (!password || !bffUrl) throw new Error(`ambit up printed no password or API address:\n${up.output()}`);
    const web = await startWeb(bffUrl);
    await untilAnswering(`${web.url}/login`, 30_000);
    return {
      consoleUrl: web.url,
      adminPassword: password,
      output: () => `${up.output()}\n--- console ---\n${web.output()}`,
      stop: async () => {
        await web.stop();
        await up.stop();
      },
    };
  } catch (error) {
    await up.stop();
    throw error;
  }
}
