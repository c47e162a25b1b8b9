import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProcessStatus, Supervisor } from '../src/embedded/supervisor';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitFor(supervisor: Supervisor, predicate: (s: ProcessStatus) => boolean): Promise<ProcessStatus> {
  return new Promise((resolve) => {
    const stop = supervisor.onChange((status) => {
      if (predicate(status)) {
        stop();
        resolve(status);
      }
    });
  });
}

/** Waits until a process has written `text` to its log: readiness, not a guess at timing. */
async function waitForLog(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if (readFileSync(file, 'utf8').includes(text)) return;
    } catch {
      // Not created yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} never said "${text}"`);
}

describe('Supervisor', () => {
  let dir: string;
  let supervisor: Supervisor;
  afterEach(async () => {
    await supervisor?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts a crashing process with backoff and keeps its output', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-supervisor-'));
    supervisor = new Supervisor({ initialMs: 50, maxMs: 200, resetAfterMs: 60_000 });
    const logFile = join(dir, 'crasher.log');
    const restartedTwice = waitFor(supervisor, (s) => s.restarts >= 2 && s.state === 'Running');
    supervisor.start({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', 'console.log("hello"); process.exit(3)'],
      env: {},
      logFile,
    });
    const status = await restartedTwice;
    expect(status.lastExit?.code).toBe(3);
    await supervisor.stop('crasher');
    const log = readFileSync(logFile, 'utf8');
    expect(log.match(/hello/g)?.length).toBeGreaterThanOrEqual(2);
    expect(log).toMatch(/exited \(code 3, signal null\); restarting in 50 ms/);
  });

  it('stops every process it started, escalating to SIGKILL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-supervisor-'));
    supervisor = new Supervisor();
    const running = waitFor(supervisor, (s) => s.name === 'stubborn' && s.state === 'Running');
    // Ignores SIGTERM until told otherwise: the supervisor must still get rid of it.
    supervisor.start({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'],
      env: {},
      logFile: join(dir, 'stubborn.log'),
    });
    const polite = waitFor(supervisor, (s) => s.name === 'polite' && s.state === 'Running');
    supervisor.start({
      name: 'polite',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      env: {},
      logFile: join(dir, 'polite.log'),
    });
    const pids = [(await running).pid, (await polite).pid] as number[];
    await waitForLog(join(dir, 'stubborn.log'), 'ready');
    expect(pids.every(isAlive)).toBe(true);
    const started = Date.now();
    await supervisor.stopAll();
    expect(pids.some(isAlive)).toBe(false);
    // The stubborn one only went with SIGKILL, after the grace period.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(supervisor.list()).toEqual([]);
  }, 15_000);

  it('keeps what a process says as it stops, even output that trails its exit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-supervisor-'));
    supervisor = new Supervisor();
    const logFile = join(dir, 'talker.log');
    const running = waitFor(supervisor, (s) => s.name === 'talker' && s.state === 'Running');
    // On SIGTERM it leaves a helper holding its output pipe, which speaks 100 ms after the exit: the log must still be open.
    const helper = 'setTimeout(() => console.log("last words"), 100)';
    const script = `process.on("SIGTERM", () => { require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(helper)}], { stdio: ["ignore", "inherit", "inherit"] }); process.exit(0); }); console.log("ready"); setInterval(() => {}, 1000)`;
    supervisor.start({ name: 'talker', command: process.execPath, args: ['-e', script], env: {}, logFile });
    await running;
    await waitForLog(logFile, 'ready');
    await supervisor.stopAll();
    await waitForLog(logFile, 'last words');
  });
});
