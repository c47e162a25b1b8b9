// Issue "visual canary rollouts", back end: Flagger's Canary driven by Ambit's rollout controller on
// the embedded mesh (`ambit up`), with the ambit/echo app behind a waypoint and steady load from
// ambit/loadgen. One Canary goes through four runs, each a new revision of its Deployment:
// a healthy run that steps and is promoted (traffic at each step measured over 400 requests),
// a run whose canary starts failing 20 % of requests and is rolled back, a run held at a
// confirm-promotion gate until approved through the API, and a run during which `ambit up`
// (control plane + BFF) is killed and restarted. Nodes 99-100 keep it clear of other tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMBIT_GATE_URL } from '@ambit/control-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmbitUp, startAmbitUp } from './ambit-up';
import { descendants, isAlive } from './processes';
import { type Sample, scrape } from './prometheus';
import { runAmbit } from './run-ambit';
import { apiClient, signIn } from './support/api-harness';
import { waitUntil, waitUntilAsync } from './wait';

const NS = 'rollouts';
const UP_ARGS = ['--no-demo', '--first-node', '101', '--nodes', '2'];
const SERVICE = `echo.${NS}.svc.cluster.local`;

const BASE = `apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
  labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: ${NS}, labels: { istio.io/waypoint-for: service } }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: client, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: client } }
  template:
    metadata: { labels: { app: client } }
    spec:
      containers: [{ name: client, image: ambit/echo, ports: [{ containerPort: 8080 }] }]
`;

const deployment = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: echo, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec:
      containers:
      - name: echo
        image: ambit/echo
        ports: [{ containerPort: 8080 }]
        env: [{ name: VERSION, value: ${version} }, { name: SERVICE_NAME, value: echo }]
`;

const canary = (analysis: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: echo, namespace: ${NS} }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: echo }
  progressDeadlineSeconds: 60
  service: { port: 8080 }
  analysis:
${analysis}`;

const LOADGEN = `apiVersion: apps/v1
kind: Deployment
metadata: { name: loadgen, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: loadgen } }
  template:
    metadata: { labels: { app: loadgen } }
    spec:
      containers:
      - name: loadgen
        image: ambit/loadgen
        env: [{ name: TARGETS, value: "echo/" }, { name: RATE, value: "15" }]
`;

interface CurlSummary {
  requests: number;
  failed: number;
  statuses: Record<string, number>;
  backends: Record<string, number>;
}

type Client = ReturnType<typeof apiClient>;

/** Calls an idempotent procedure again when the connection (not the server) failed: a kept-alive socket the BFF just closed. */
async function retryingConnection<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('fetch failed')) throw error;
    }
  }
}

describe('canary rollouts on the embedded mesh (Flagger Canary, echo behind a waypoint)', () => {
  let work: string;
  let dataDir: string;
  let up: AmbitUp;
  let client: Client;
  let admin: { username: string; password: string };

  const apply = (yaml: string) => {
    const run = runAmbit(dataDir, ['apply', '-f', '-'], yaml);
    if (run.status !== 0) throw new Error(`ambit apply failed: ${run.stderr}`);
  };
  const connect = async (): Promise<Client> => {
    const url = /Console API: (\S+)/.exec(up.output())?.[1];
    if (!url) throw new Error(`no API URL in:\n${up.output()}`);
    return apiClient(url, await signIn(url, admin.username, admin.password));
  };
  const rollout = () => retryingConnection(() => client.rollouts.get.query({ namespace: NS, name: 'echo' }));
  const waitFor = async (what: string, check: (r: Awaited<ReturnType<typeof rollout>>) => boolean, timeoutMs = 60_000) =>
    waitUntilAsync(
      what,
      async () => {
        const r = await rollout();
        return check(r) ? r : undefined;
      },
      timeoutMs,
      200,
    );
  /** Requests from the client pod to echo through the mesh, counted by the version that answered. */
  const send = (count: number): CurlSummary & { versions: Record<string, number> } => {
    const run = runAmbit(dataDir, ['curl', '--from', `${NS}/client`, `http://echo.${NS}:8080/`, '-n', String(count), '-o', 'json']);
    if (run.stdout === '') throw new Error(`ambit curl failed: ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as CurlSummary;
    const versions: Record<string, number> = {};
    for (const [backend, n] of Object.entries(summary.backends)) {
      const version = /\((v\d+)\)$/.exec(backend)?.[1] ?? backend;
      versions[version] = (versions[version] ?? 0) + n;
    }
    return { ...summary, versions };
  };
  const podIp = (selector: string): string => {
    const pods = JSON.parse(runAmbit(dataDir, ['get', 'pods', '-n', NS, '-l', selector, '-o', 'json']).stdout) as {
      items: { status?: { podIP?: string; phase?: string } }[];
    };
    const ip = pods.items.find((p) => p.status?.podIP && p.status.phase === 'Running')?.status?.podIP;
    if (!ip) throw new Error(`no running pod for ${selector}`);
    return ip;
  };
  /** The canary's weight as the waypoint runs it (weight-0 backends are absent from its route table). */
  const waypointCanaryWeight = async (): Promise<number | undefined> => {
    const dump = (await (await fetch(`http://${podIp('gateway.networking.k8s.io/gateway-name=waypoint')}:15000/config_dump`)).json()) as {
      waypoint: { routes: { name: string; routes: unknown[] }[] };
    };
    const table = dump.waypoint.routes.find((r) => r.name === `${SERVICE}:8080`);
    if (!table) return undefined;
    const text = JSON.stringify(table.routes);
    if (!text.includes('echo-primary')) return undefined;
    const found = /"name":"echo-canary"[^}]*?"weight":(\d+)|"weight":(\d+)[^}]*?"name":"echo-canary"/.exec(text);
    return found ? Number(found[1] ?? found[2]) : 0;
  };
  const waitForWaypointWeight = (weight: number) =>
    waitUntilAsync(`the waypoint to route ${weight} % to the canary`, async () => (await waypointCanaryWeight()) === weight, 30_000, 200);
  /** 400 requests at the current (paused) step: each version's share within ±5 % of the weight. */
  const expectSplit = async (canaryVersion: string, primaryVersion: string) => {
    const paused = await rollout();
    await waitForWaypointWeight(paused.canaryWeight);
    const result = send(400);
    process.stdout.write(`step ${paused.canaryWeight}%: ${JSON.stringify(result.versions)}\n`);
    expect(result.failed).toBe(0);
    expect(result.versions[canaryVersion] ?? 0).toBeGreaterThanOrEqual(4 * (paused.canaryWeight - 5));
    expect(result.versions[canaryVersion] ?? 0).toBeLessThanOrEqual(4 * (paused.canaryWeight + 5));
    expect((result.versions[canaryVersion] ?? 0) + (result.versions[primaryVersion] ?? 0)).toBe(400);
    return paused.canaryWeight;
  };
  const waypointSamples = async (): Promise<Sample[]> =>
    scrape(`http://${podIp('gateway.networking.k8s.io/gateway-name=waypoint')}:15020/metrics`);
  /** Requests to echo the waypoint answered with anything but 2xx or the echo's own 500s (connection failures, 503s). */
  const switchFailures = async (): Promise<number> =>
    (await waypointSamples())
      .filter((s) => s.name === 'istio_requests_total' && s.labels.destination_service === SERVICE)
      .filter((s) => !/^2\d\d$/.test(s.labels.response_code ?? '') && s.labels.response_code !== '500')
      .reduce((sum, s) => sum + s.value, 0);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ambit-canary-'));
    dataDir = join(work, 'data');
    up = startAmbitUp(dataDir, UP_ARGS);
    await up.ready(60_000);
    const username = /username: (\S+)/.exec(up.output())?.[1];
    const password = /password: (\S+)/.exec(up.output())?.[1];
    if (!username || !password) throw new Error(`no initial admin in:\n${up.output()}`);
    admin = { username, password };
    client = await connect();
    apply(BASE);
    apply(deployment('v1'));
    apply(
      canary(`    interval: 4s
    threshold: 5
    maxWeight: 40
    stepWeight: 20
    metrics: [{ name: request-success-rate, thresholdRange: { min: 99 }, interval: 20s }, { name: request-duration, thresholdRange: { max: 2000 }, interval: 20s }]
`),
    );
    const initialized = await waitFor('the Canary to be initialized', (r) => r.phase === 'Initialized', 90_000);
    expect(initialized.route?.backends).toEqual([
      { name: 'echo-primary', weight: 100 },
      { name: 'echo-canary', weight: 0 },
    ]);
    // The load generator reads the echo Service's address at start: the controller has created it now.
    apply(LOADGEN);
    await waitUntil('echo to answer through the waypoint', () => send(5).versions.v1 === 5, 60_000, 500);
  }, 180_000);

  afterAll(async () => {
    await up?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('progresses a healthy canary step by step (traffic within ±5 % of each weight over 400 requests) and promotes it', async () => {
    apply(deployment('v2'));
    const measured: number[] = [];
    for (const weight of [20, 40]) {
      await waitFor(`canary weight ${weight}`, (r) => r.canaryWeight >= weight, 60_000);
      await retryingConnection(() => client.rollouts.pause.mutate({ namespace: NS, name: 'echo' }));
      measured.push(await expectSplit('v2', 'v1'));
      await retryingConnection(() => client.rollouts.resume.mutate({ namespace: NS, name: 'echo' }));
    }
    expect(measured).toEqual([20, 40]);
    const done = await waitFor('promotion', (r) => r.phase === 'Succeeded', 90_000);
    expect(done).toMatchObject({ canaryWeight: 0, failedChecks: expect.any(Number) });
    expect(done.events.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'New revision detected! Scaling up echo.rollouts',
        'Advance echo.rollouts canary weight 20',
        'Advance echo.rollouts canary weight 40',
        'Copying echo.rollouts template spec to echo-primary.rollouts',
        'Promotion completed! Scaling down echo.rollouts',
      ]),
    );
    await waitForWaypointWeight(0);
    // The primary now runs v2; the canary is scaled down.
    await waitUntil('every request answered by v2 (the promoted primary)', () => send(20).versions.v2 === 20, 30_000, 500);
  }, 150_000);

  it('rolls back a canary whose error rate rises to 20 % after `threshold` failed checks; no request fails because of the switch', async () => {
    apply(
      canary(`    interval: 5s
    threshold: 3
    maxWeight: 80
    stepWeight: 20
    metrics: [{ name: request-success-rate, thresholdRange: { min: 99 }, interval: 20s }]
`),
    );
    apply(deployment('v3'));
    // At 40 % the canary has passed a check with traffic: only now does it start failing.
    await waitFor('canary weight 40', (r) => r.canaryWeight >= 40, 60_000);
    // Paused while the errors start, so the run cannot step past them before they show in the metrics.
    await retryingConnection(() => client.rollouts.pause.mutate({ namespace: NS, name: 'echo' }));
    const before = await switchFailures();
    const raised = await fetch(`http://${podIp('app=echo')}:8080/_echo/config`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 0.2 }),
    });
    expect(raised.status).toBe(200);
    await waitUntilAsync(
      'the waypoint to report the canary’s errors',
      async () =>
        (await waypointSamples()).some(
          (s) =>
            s.name === 'istio_requests_total' &&
            s.labels.destination_workload === 'echo' &&
            s.labels.response_code === '500' &&
            s.value > 0,
        ),
      30_000,
      500,
    );
    await retryingConnection(() => client.rollouts.resume.mutate({ namespace: NS, name: 'echo' }));
    const raisedAt = Date.now();
    const failed = await waitFor('the rollback', (r) => r.phase === 'Failed', 60_000);
    expect(failed).toMatchObject({ canaryWeight: 0, failedChecks: 3 });
    const checks = failed.history.flatMap((h) => h.checks).filter((c) => !c.passed);
    expect(checks.at(-1)?.message).toMatch(/request-success-rate \d+(\.\d+)?% < 99%/);
    // The check that reaches the threshold rolls back in its own tick: no later than one interval after the check before it.
    const beforeLast = failed.history.find((h) => h.failedChecks === 2);
    const rollback = failed.events.find((e) => e.message === 'Rolling back echo.rollouts failed checks threshold reached 3');
    expect(beforeLast && rollback).toBeTruthy();
    expect(Date.parse(rollback?.time ?? '') - Date.parse(beforeLast?.time ?? '')).toBeLessThanOrEqual(5000 + 2000);
    expect(Date.now() - raisedAt).toBeLessThan(60_000);
    await waitForWaypointWeight(0);
    const after = send(200);
    expect(after).toMatchObject({ failed: 0 });
    // All on the primary (v2, promoted by the first run): none on the rolled-back v3.
    expect(after.versions.v3 ?? 0).toBe(0);
    expect(Object.values(after.versions).reduce((a, b) => a + b, 0)).toBe(200);
    // Wait until the canary has been scaled down (one interval after the switch), then count non-echo failures.
    await waitUntil('the canary to be scaled down', () => {
      const pods = JSON.parse(runAmbit(dataDir, ['get', 'pods', '-n', NS, '-l', 'app=echo', '-o', 'json']).stdout) as { items: unknown[] };
      return pods.items.length === 0;
    });
    expect(await switchFailures()).toBe(before);
  }, 150_000);

  it('holds at a confirm-promotion gate until it is approved through the API', async () => {
    apply(
      canary(`    interval: 3s
    threshold: 10
    maxWeight: 20
    stepWeight: 20
    metrics: [{ name: request-success-rate, thresholdRange: { min: 99 }, interval: 20s }]
    webhooks: [{ name: release-manager, type: confirm-promotion, url: ${AMBIT_GATE_URL} }]
`),
    );
    apply(deployment('v4'));
    const waiting = await waitFor('the promotion gate', (r) => r.phase === 'WaitingPromotion', 60_000);
    expect(waiting.gate).toMatchObject({ type: 'confirm-promotion', webhook: 'release-manager', builtIn: true });
    expect(waiting.canaryWeight).toBe(20);
    // Held for two more analysis ticks (the metrics are still checked meanwhile), traffic unchanged.
    const held = await waitFor(
      'three ticks at the gate',
      (r) => r.history.filter((h) => h.phase === 'WaitingPromotion').length >= 3,
      30_000,
    );
    expect(held).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 20 });

    const approved = await client.rollouts.approve.mutate({ namespace: NS, name: 'echo', gate: 'confirm-promotion' });
    expect(approved.approvals[0]).toMatchObject({ gate: 'confirm-promotion', by: admin.username });
    const done = await waitFor('promotion after approval', (r) => r.phase === 'Succeeded', 60_000);
    expect(done.events.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'Halt echo.rollouts advancement waiting for promotion approval release-manager',
        'Confirm-promotion check passed for echo.rollouts',
      ]),
    );
  }, 120_000);

  it('resumes at the same step and weight after ambit up (control plane + BFF) is killed mid-run', async () => {
    apply(
      canary(`    interval: 25s
    threshold: 10
    maxWeight: 40
    stepWeight: 20
    metrics: [{ name: request-success-rate, thresholdRange: { min: 99 }, interval: 30s }]
`),
    );
    apply(deployment('v5'));
    const atStep = await waitFor('canary weight 20', (r) => r.canaryWeight === 20, 60_000);
    const stepAt = atStep.history.at(-1)?.time ?? '';
    // Killed, as a crash would: no chance to save anything (its pods and ztunnels go with it).
    const below = descendants(up.process.pid ?? 0);
    up.process.kill('SIGKILL');
    for (const pid of below) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitUntil('every process of the killed mesh to exit', () => [up.process.pid ?? 0, ...below].every((pid) => !isAlive(pid)));
    up = startAmbitUp(dataDir, UP_ARGS);
    await up.ready(60_000);
    client = await connect();
    const resumed = await rollout();
    expect(resumed).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    expect(resumed.route?.backends).toEqual([
      { name: 'echo-primary', weight: 80 },
      { name: 'echo-canary', weight: 20 },
    ]);
    const next = await waitFor('the next step after the restart', (r) => r.canaryWeight !== 20 || r.phase !== 'Progressing', 90_000);
    expect(next.canaryWeight).toBe(40);
    // Weights in the order the run set them (checks at the same weight repeat it): no jump, no reset.
    const weights = next.history.map((h) => h.canaryWeight).filter((w, i, all) => i === 0 || w !== all[i - 1]);
    expect(weights).toEqual([0, 20, 40]);
    // The step after the restart waited for the interval since the step before it.
    expect(Date.parse(next.history.at(-1)?.time ?? '') - Date.parse(stepAt)).toBeGreaterThanOrEqual(25_000);
  }, 180_000);
});
