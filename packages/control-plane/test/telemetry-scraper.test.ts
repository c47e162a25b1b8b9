// The embedded scraper against real HTTP servers on 127.0.0.1 serving metrics that change per scrape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTelemetry, type EmbeddedTelemetryOptions, equal, rateQuery, type ScrapeTarget, sumQuery } from '../src/telemetry/index';

interface MetricsServer {
  url: string;
  /** Scrapes answered so far. */
  scrapes: number;
  /** Resolves once `n` scrapes have been answered. */
  scraped(n: number): Promise<void>;
  close(): Promise<void>;
}

const servers: MetricsServer[] = [];
const telemetries: EmbeddedTelemetry[] = [];

afterEach(async () => {
  await Promise.all(telemetries.splice(0).map((t) => t.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server whose body is `body(n)` for its n-th scrape (1-based); a thrown error or 'hang' misbehaves. */
async function metricsServer(body: (n: number, res: ServerResponse) => string | 'hang'): Promise<MetricsServer> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const state = { scrapes: 0 };
  const server: Server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    state.scrapes++;
    const text = body(state.scrapes, res);
    for (const w of waiters.filter((w) => state.scrapes >= w.n)) w.resolve();
    if (text === 'hang' || res.writableEnded) return;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: MetricsServer = {
    url: `http://127.0.0.1:${port}/metrics`,
    get scrapes() {
      return state.scrapes;
    },
    scraped: (n) =>
      new Promise<void>((resolve) => {
        if (state.scrapes >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** A clock that moves 5 s per scrape cycle, so rates are exact. */
function steppedClock(startMs = 1_700_000_000_000) {
  let now = startMs;
  return {
    now: () => now,
    step: (ms = 5_000) => {
      now += ms;
    },
  };
}

function telemetry(options: Partial<EmbeddedTelemetryOptions> & { targets: () => readonly ScrapeTarget[] }): EmbeddedTelemetry {
  const t = new EmbeddedTelemetry({ intervalMs: 5_000, timeoutMs: 2_000, ...options });
  telemetries.push(t);
  return t;
}

async function cycles(t: EmbeddedTelemetry, clock: { step: () => void }, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.scrapeOnce();
    clock.step();
  }
}

const ZTUNNEL_LINE = (bytes: number) =>
  `# TYPE istio_tcp_sent_bytes_total counter\nistio_tcp_sent_bytes_total{reporter="source",source_workload="productpage-v1",destination_workload="reviews-v1",connection_security_policy="mutual_tls"} ${bytes}\n`;

describe('EmbeddedTelemetry', () => {
  it('scrapes every target and answers rate queries from what it stored', async () => {
    const ztunnel = await metricsServer((n) => ZTUNNEL_LINE(n * 5_000)); // 1,000 B/s
    const waypoint = await metricsServer(
      (n) =>
        `istio_requests_total{reporter="waypoint",destination_workload="reviews-v1",response_code="200"} ${n * 50}\n` +
        `istio_requests_total{reporter="waypoint",destination_workload="reviews-v1",response_code="503"} ${n}\n`,
    );
    const clock = steppedClock();
    const t = telemetry({
      now: clock.now,
      targets: (): ScrapeTarget[] => [
        { name: 'ztunnel-node-1', url: ztunnel.url, labels: { proxy: 'ztunnel', node: 'node-1' } },
        { name: 'waypoint-demo', url: `${waypoint.url.replace('/metrics', '/stats/prometheus')}`, labels: { proxy: 'waypoint' } },
      ],
    });
    await cycles(t, clock, 13);
    const at = clock.now() - 5_000;

    const bytes = await t.instant(
      rateQuery('istio_tcp_sent_bytes_total', { windowSeconds: 60, by: ['instance', 'node', 'destination_workload'] }),
      { at },
    );
    expect(bytes.samples.map((s) => [{ ...s.labels }, s.value])).toEqual([
      [{ instance: 'ztunnel-node-1', node: 'node-1', destination_workload: 'reviews-v1' }, expect.closeTo(1_000, 6)],
    ]);
    const codes = await t.instant(
      rateQuery('istio_requests_total', { windowSeconds: 60, matchers: [equal('reporter', 'waypoint')], by: ['response_code'] }),
      { at },
    );
    expect(codes.samples.map((s) => [s.labels.response_code, Number(s.value.toFixed(6))])).toEqual([
      ['200', 10],
      ['503', 0.2],
    ]);
    const up = await t.instant(sumQuery('up', { by: ['instance'] }), { at });
    expect(up.samples.map((s) => [s.labels.instance, s.value])).toEqual([
      ['waypoint-demo', 1],
      ['ztunnel-node-1', 1],
    ]);
    const targets = await t.targets();
    expect(targets.map((s) => [s.name, s.health, s.samples, s.lastError])).toEqual([
      ['ztunnel-node-1', 'up', 1, undefined],
      ['waypoint-demo', 'up', 2, undefined],
    ]);
    expect(ztunnel.scrapes).toBe(13);
  });

  it('follows a counter through a proxy restart, as rate() does', async () => {
    // 500 bytes per scrape (100 B/s); the proxy restarts before its 8th scrape and counts from 0 again.
    const ztunnel = await metricsServer((n) => ZTUNNEL_LINE(n < 8 ? 10_000 + n * 500 : (n - 7) * 500));
    const clock = steppedClock();
    const t = telemetry({ now: clock.now, targets: () => [{ name: 'z', url: ztunnel.url }] });
    await cycles(t, clock, 13);
    const at = clock.now() - 5_000;
    const [rate] = (await t.instant(rateQuery('istio_tcp_sent_bytes_total', { windowSeconds: 60 }), { at })).samples;
    expect(rate?.value).toBeCloseTo(100, 6);
  });

  it('records failed scrapes per target (up = 0, the reason) and keeps answering from the others', async () => {
    const healthy = await metricsServer((n) => ZTUNNEL_LINE(n * 5_000));
    const failing = await metricsServer((n, res) => {
      if (n > 3) res.writeHead(500).end('boom');
      return ZTUNNEL_LINE(n);
    });
    const garbled = await metricsServer(() => 'istio_tcp_sent_bytes_total{reporter="source" 12\n');
    const refused = await metricsServer(() => '');
    await refused.close(); // nothing listens on its port now
    const hanging = await metricsServer(() => 'hang');
    const clock = steppedClock();
    const t = telemetry({
      now: clock.now,
      timeoutMs: 300,
      targets: () => [
        { name: 'healthy', url: healthy.url },
        { name: 'failing', url: failing.url },
        { name: 'garbled', url: garbled.url },
        { name: 'refused', url: refused.url },
        { name: 'hanging', url: hanging.url },
      ],
    });
    await cycles(t, clock, 6);
    const at = clock.now() - 5_000;
    const status = Object.fromEntries((await t.targets()).map((s) => [s.name, s]));
    expect(status.healthy?.health).toBe('up');
    expect(status.failing).toMatchObject({ health: 'down', lastError: 'HTTP 500 Internal Server Error' });
    expect(status.garbled).toMatchObject({ health: 'down' });
    expect(status.garbled?.lastError).toMatch(/line 1: expected "," or "}"/);
    expect(status.refused?.health).toBe('down');
    expect(status.refused?.lastError).toMatch(/fetch failed: ECONNREFUSED/);
    expect(status.hanging).toMatchObject({ health: 'down', lastError: 'timed out after 300 ms' });

    const up = (await t.instant(sumQuery('up', { by: ['instance'] }), { at })).samples;
    expect(Object.fromEntries(up.map((s) => [s.labels.instance, s.value]))).toEqual({
      healthy: 1,
      failing: 0,
      garbled: 0,
      refused: 0,
      hanging: 0,
    });
    const rates = async (windowSeconds: number) => {
      const { samples } = await t.instant(rateQuery('istio_tcp_sent_bytes_total', { windowSeconds, by: ['instance'] }), { at });
      return Object.fromEntries(samples.map((s) => [s.labels.instance, Number(s.value.toFixed(6))]));
    };
    expect(await rates(20)).toEqual({ healthy: 1_000 });
    // What the failing target served before it failed is still there for longer windows.
    expect(Object.keys(await rates(60))).toEqual(['failing', 'healthy']);
  });

  it('refuses a body over the size limit, as a failed scrape', async () => {
    const huge = await metricsServer(() => `${'#'.repeat(4096)}\nm 1\n`);
    const clock = steppedClock();
    const t = telemetry({ now: clock.now, maxBodyBytes: 1024, targets: () => [{ name: 'huge', url: huge.url }] });
    await cycles(t, clock, 1);
    // Sent chunked, without a length: the limit is enforced while reading.
    expect((await t.targets())[0]).toMatchObject({ health: 'down', lastError: 'body is over the 1024-byte limit' });
  });

  it('scrapes on its own every interval until stopped', async () => {
    const server = await metricsServer((n) => ZTUNNEL_LINE(n));
    const t = telemetry({ intervalMs: 40, targets: () => [{ name: 'z', url: server.url }] });
    t.start();
    await server.scraped(3);
    await t.stop();
    const after = server.scrapes;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.scrapes).toBe(after);
    expect((await t.targets())[0]?.health).toBe('up');
  });

  it('labels series with their target, keeping a clashing scraped label as exported_<name>', async () => {
    const server = await metricsServer(() => 'm{instance="from-the-proxy",a="1"} 1\n');
    const clock = steppedClock();
    const t = telemetry({ now: clock.now, targets: () => [{ name: 'target-a', url: server.url, labels: { node: 'node-1' } }] });
    await cycles(t, clock, 1);
    const [sample] = (await t.instant(sumQuery('m', { by: ['instance', 'exported_instance', 'node', 'a'] }), { at: clock.now() - 5_000 }))
      .samples;
    expect({ ...sample?.labels }).toEqual({ instance: 'target-a', exported_instance: 'from-the-proxy', node: 'node-1', a: '1' });
  });

  it('stores at most maxSeries series, says how many it refused, and forgets targets that went away', async () => {
    const many = await metricsServer(() => Array.from({ length: 30 }, (_, i) => `m{i="${i}"} 1`).join('\n'));
    let list: ScrapeTarget[] = [{ name: 'many', url: many.url }];
    const clock = steppedClock();
    const t = telemetry({ now: clock.now, retentionMs: 30_000, maxSeries: 20, targets: () => list });
    await cycles(t, clock, 2);
    expect((await t.targets())[0]).toMatchObject({ health: 'up', samples: 30, droppedSeries: 10 });
    expect((await t.instant(sumQuery('m'), { at: clock.now() - 5_000 })).samples[0]?.value).toBe(20);
    expect(t.stats()).toMatchObject({ series: 20 + 3, maxSeries: 20, samplesPerSeries: 7 });

    list = [];
    await cycles(t, clock, 8); // past the 30 s retention
    expect(await t.targets()).toEqual([]);
    expect(t.stats()).toMatchObject({ series: 0, targets: 0 });
  });

  it('skips metrics nobody queries: the size histograms’ buckets', async () => {
    const server = await metricsServer(
      (n) => `istio_request_bytes_bucket{le="1"} ${n}\nistio_request_bytes_count ${n}\nistio_response_bytes_bucket{le="1"} ${n}\n`,
    );
    const clock = steppedClock();
    const t = telemetry({ now: clock.now, targets: () => [{ name: 'w', url: server.url }] });
    await cycles(t, clock, 3);
    const at = clock.now() - 5_000;
    expect((await t.instant(rateQuery('istio_request_bytes_bucket', { windowSeconds: 60 }), { at })).samples).toEqual([]);
    expect((await t.instant(rateQuery('istio_request_bytes_count', { windowSeconds: 60 }), { at })).samples).toHaveLength(1);
  });
});
