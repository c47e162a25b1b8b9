/**
 * What the benchmark says to its two server processes over IPC — the control plane, and the
 * no-registry baseline — and what they answer. Every request carries an id; the answer repeats it.
 */
import type { MeshSize, RoundKind } from './mesh';

type EitherProcess = { id: number; type: 'usage' } | { id: number; type: 'stop' };

export type ControlPlaneRequest =
  | EitherProcess
  | { id: number; type: 'seed'; size: MeshSize }
  | { id: number; type: 'apply-policy'; round: number; kind: RoundKind; size: MeshSize }
  | { id: number; type: 'acked'; typeUrl: string; proxyIdPrefix: string }
  | { id: number; type: 'export-view'; nodeName: string; file: string };

export type BaselineRequest = EitherProcess | { id: number; type: 'encode-addresses'; repetitions: number };

export type Request = ControlPlaneRequest | BaselineRequest;

export interface CpuUsage {
  /** process.cpuUsage(): user and system microseconds since the process started. */
  user: number;
  system: number;
}

export type Reply =
  | { id: number; type: 'seeded'; applyMs: number; statusMs: number; workloads: number; services: number; policies: number }
  | { id: number; type: 'applied'; applyMs: number }
  | { id: number; type: 'acked'; proxies: number; acked: number }
  | { id: number; type: 'usage'; cpu: CpuUsage; heapUsedMiB: number; rssMiB: number }
  | { id: number; type: 'view-exported'; resources: number }
  | { id: number; type: 'encoded'; resources: number; encodeMs: number[]; encodedBytes: number }
  | { id: number; type: 'stopped' }
  | { id: number; type: 'error'; message: string };

/** Sent once, unasked, when the process's xDS server listens. */
export interface Started {
  type: 'started';
  xdsPort: number;
  cpu: CpuUsage;
}

/** A ztunnel's view as the control plane translated it, written to a file for the baseline process. */
export interface ExportedView {
  /** type URL → [resource name, base64 of the packed resource (google.protobuf.Any value)]. */
  types: Record<string, [name: string, value: string][]>;
}

/** The answer to `usage`, the same from either process. */
export function usageReply(id: number): Extract<Reply, { type: 'usage' }> {
  const memory = process.memoryUsage();
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { id, type: 'usage', cpu: process.cpuUsage(), heapUsedMiB: mib(memory.heapUsed), rssMiB: mib(memory.rss) };
}

/**
 * The server side of the protocol in a child process: announces `started`, answers each request
 * with `handle` (an exception becomes an `error` answer), and runs `shutdown` once, on `stop` or
 * when the benchmark goes away.
 */
export function serveRequests<R extends Request>(
  started: Omit<Started, 'type'>,
  handle: (request: Exclude<R, { type: 'stop' }>) => Promise<Reply>,
  shutdown: () => Promise<void>,
): void {
  let stopping: Promise<void> | undefined;
  const stopOnce = () => {
    stopping ??= shutdown();
    return stopping;
  };
  const send = (message: Reply | Started) => process.send?.(message);
  process.on('message', (request: R) => {
    const answer =
      request.type === 'stop'
        ? stopOnce().then((): Reply => ({ id: request.id, type: 'stopped' }))
        : handle(request as Exclude<R, { type: 'stop' }>);
    answer.then(
      (reply) => {
        send(reply);
        if (reply.type === 'stopped') process.disconnect();
      },
      (error: unknown) =>
        send({ id: request.id, type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('disconnect', () => {
    void stopOnce().finally(() => process.exit(0));
  });
  send({ type: 'started', ...started });
}
