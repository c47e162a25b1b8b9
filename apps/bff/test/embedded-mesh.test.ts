// Issue "embedded mesh": `ambit up` as a user runs it — a real process with ztunnels and pods
// below it — serving Istio's Bookinfo through the mesh, healing a killed ztunnel, and leaving no
// process behind on Ctrl-C. Nodes 51-52 (127.61-62.x.x) keep it clear of other tests' addresses.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmbitUp, startAmbitUp } from './ambit-up';
import { descendants, isAlive } from './processes';
import { runAmbit } from './run-ambit';
import { waitUntil } from './wait';

const upstream = join(__dirname, '../demo/upstream/istio');
const NS = 'books';

interface CurlSummary {
  requests: number;
  failed: number;
  statuses: Record<string, number>;
  backends: Record<string, number>;
}

describe('ambit up', () => {
  let work: string;
  let dataDir: string;
  let up: AmbitUp;

  const curl = (path: string, count: number): CurlSummary => {
    const run = runAmbit(dataDir, ['curl', '--from', `${NS}/productpage`, `http://${path}`, '-n', String(count), '-o', 'json']);
    if (run.stdout === '') throw new Error(`ambit curl failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as CurlSummary;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ambit-up-'));
    dataDir = join(work, 'data');
    up = startAmbitUp(dataDir, ['--no-demo', '--first-node', '51']);
    await up.ready();
    const namespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n  labels:\n    istio.io/dataplane-mode: ambient\n`;
    expect(runAmbit(dataDir, ['apply', '-f', '-'], namespace).status).toBe(0);
    const applied = runAmbit(dataDir, [
      'apply',
      '-n',
      NS,
      '-f',
      join(upstream, 'bookinfo.yaml'),
      '-f',
      join(upstream, 'bookinfo-versions.yaml'),
    ]);
    expect(applied.stderr).toBe('');
  }, 60_000);

  afterAll(async () => {
    await up?.stop(0);
    rmSync(work, { recursive: true, force: true });
  });

  it('serves Bookinfo through the mesh: productpage → details, reviews v1/v2/v3 → ratings', async () => {
    const reviews = await waitUntil(
      'reviews to answer through the mesh',
      () => {
        const summary = curl(`reviews.${NS}:9080/reviews/0`, 30);
        return summary.failed === 0 ? summary : undefined;
      },
      60_000,
      500,
    );
    const versions = new Set(Object.keys(reviews.backends).map((b) => /\((v\d)\)$/.exec(b)?.[1]));
    expect(versions).toEqual(new Set(['v1', 'v2', 'v3']));
    const page = runAmbit(dataDir, ['curl', '--from', `${NS}/productpage`, `http://productpage.${NS}:9080/productpage`, '-o', 'json']);
    const body = JSON.parse((JSON.parse(page.stdout) as { body: string }).body) as {
      details: { status: number };
      reviews: { status: number; body: { version: string; ratings?: { status: number } } };
    };
    expect(body.details.status).toBe(200);
    expect(body.reviews.status).toBe(200);
    if (body.reviews.body.version !== 'v1') expect(body.reviews.body.ratings?.status).toBe(200);
  }, 90_000);

  it('restarts a killed ztunnel and traffic recovers', async () => {
    const ztunnel = descendants(up.process.pid as number).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node-51');
      } catch {
        return false;
      }
    });
    expect(ztunnel).toBeDefined();
    process.kill(ztunnel as number, 'SIGKILL');
    await waitUntil(
      'the ztunnel to be restarted',
      () => runAmbit(dataDir, ['logs', 'ztunnel/node-51']).stdout.includes('restarting in'),
      20_000,
      200,
    );
    const recovered = await waitUntil(
      'traffic to recover',
      () => {
        const summary = curl(`reviews.${NS}:9080/reviews/0`, 10);
        return summary.failed === 0 ? summary : undefined;
      },
      60_000,
      500,
    );
    expect(recovered.requests).toBe(10);
  }, 90_000);

  it('leaves no process behind on Ctrl-C (SIGINT)', async () => {
    const below = descendants(up.process.pid as number);
    expect(below.length).toBeGreaterThanOrEqual(2 + 6);
    const exited = new Promise<number | null>((resolve) => up.process.once('exit', (code) => resolve(code)));
    up.process.kill('SIGINT');
    expect(await exited, `ambit up's exit after Ctrl-C; its last output:\n${up.output().slice(-4000)}`).toBe(0);
    await waitUntil('every child to be gone', () => below.every((pid) => !isAlive(pid)), 15_000);
  }, 30_000);
});
