import { UpstreamClient } from './upstream-client';
import { readWorkloadEnv, serviceAddress } from './workload-env';

/**
 * `ambit/loadgen`: steady traffic so the console always has something alive to show. TARGETS is a
 * comma-separated list of `service[:port]/path` (e.g. `productpage/productpage`); RATE requests
 * per second in all (default 5), spread over the targets in turn; at most CONCURRENCY in flight.
 */
export interface LoadTarget {
  service: string;
  path: string;
}

export function parseTargets(value: string): LoadTarget[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const slash = t.indexOf('/');
      return slash < 0 ? { service: t, path: '/' } : { service: t.slice(0, slash), path: t.slice(slash) };
    });
}

export function startLoadgen(options: { localAddress: string; targets: LoadTarget[]; rate: number; concurrency: number }) {
  const client = new UpstreamClient(options.localAddress);
  let next = 0;
  let inFlight = 0;
  const counts = { sent: 0, ok: 0, failed: 0 };
  const tick = () => {
    if (inFlight >= options.concurrency || options.targets.length === 0) return;
    const target = options.targets[next++ % options.targets.length] as LoadTarget;
    inFlight++;
    counts.sent++;
    let address: { host: string; port: number };
    try {
      address = serviceAddress(target.service);
    } catch {
      inFlight--;
      counts.failed++;
      return;
    }
    client
      .get(address.host, address.port, target.path, { 'user-agent': 'ambit-loadgen' })
      .then(
        (r) => {
          if (r.status < 500) counts.ok++;
          else counts.failed++;
        },
        () => counts.failed++,
      )
      .finally(() => inFlight--);
  };
  const timer = setInterval(tick, Math.max(1, Math.round(1000 / options.rate)));
  const report = setInterval(() => process.stdout.write(`${JSON.stringify({ msg: 'loadgen', ...counts })}\n`), 10_000);
  return {
    counts,
    stop() {
      clearInterval(timer);
      clearInterval(report);
      client.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const workload = readWorkloadEnv();
  startLoadgen({
    localAddress: workload.podIp,
    targets: parseTargets(process.env.TARGETS ?? ''),
    rate: Number(process.env.RATE ?? 5),
    concurrency: Number(process.env.CONCURRENCY ?? 16),
  });
}
