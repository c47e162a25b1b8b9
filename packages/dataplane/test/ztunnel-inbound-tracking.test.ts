import net, { type Server, type Socket } from 'node:net';
import type { AuthzVerdict } from '@ambit/shared/authz';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/metrics/registry';
import { ConnectionTracker, TcpMetrics } from '../src/metrics/tcp';
import { ProxyState } from '../src/state/proxy-state';
import { InboundProxy } from '../src/ztunnel/inbound';
import { dial, startEchoServer } from './fixtures/net';
import { waitFor } from './fixtures/wait';

// A full collection on demand: the only way to see, from outside, whether the proxy still holds a closed connection.
const collectGarbage: () => void =
  globalThis.gc ??
  (() => {
    throw new Error('globalThis.gc is missing: run this file with vitest.config.ts, which starts workers with --expose-gc');
  });

const ADDRESS = '127.0.0.1';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ADDRESS, port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe('ztunnel inbound re-authorization tracking', () => {
  it('lets go of a connection once it closes, and still re-checks the ones that stay open', async () => {
    const silent = pino({ level: 'silent' });
    const registry = new MetricsRegistry();
    const state = new ProxyState();
    state.upsertWorkload({
      uid: 'Kubernetes//Pod/shop/cart-1',
      name: 'cart-1',
      namespace: 'shop',
      addresses: [ADDRESS],
      node: 'node-a',
      serviceAccount: 'cart',
      trustDomain: 'cluster.local',
    });
    let verdict: AuthzVerdict = { allowed: true, reason: 'test allows' };
    const proxy = new InboundProxy({
      node: 'node-a',
      nodeAddress: ADDRESS,
      state,
      tracker: new ConnectionTracker(new TcpMetrics(registry), silent),
      logger: silent,
      refused: registry.counter('test_refused_total', 'refused'),
      authorize: () => verdict,
      connectTimeoutMs: 2_000,
      reservedPorts: new Set(),
    });

    const workload = await startEchoServer(ADDRESS);
    // The ztunnel side of each connection, by the client's port, held weakly so only the proxy can keep it alive.
    const accepted = new Map<number, WeakRef<Socket>>();
    let closedOnProxySide = 0;
    const front = net.createServer({ allowHalfOpen: true }, (socket) => {
      accepted.set(socket.remotePort ?? 0, new WeakRef(socket));
      socket.once('close', () => closedOnProxySide++);
      proxy.onPlaintext(socket, ADDRESS, workload.port);
    });
    const clients: Socket[] = [];
    try {
      const frontPort = await listen(front);
      const leaving = await dial(ADDRESS, frontPort, ADDRESS);
      const staying = await dial(ADDRESS, frontPort, ADDRESS);
      clients.push(leaving, staying);
      await waitFor(() => accepted.size === 2, 'both connections to reach the proxy');
      const leavingOnProxySide = accepted.get(leaving.localPort ?? 0);
      expect(leavingOnProxySide).toBeDefined();

      leaving.destroy();
      await waitFor(() => closedOnProxySide === 1, 'the proxy side of the closed connection to close');
      await waitFor(() => {
        collectGarbage();
        return leavingOnProxySide?.deref() === undefined;
      }, 'the closed connection to be released (still held: the re-authorization map kept it)');

      // The open one is still tracked: a policy that now denies it closes it.
      // The client dialed half-open: the ztunnel closing its side shows as 'end' (or a reset, as 'close').
      const stayingClosed = new Promise<void>((resolve) => {
        staying.once('end', resolve);
        staying.once('close', () => resolve());
      });
      staying.on('error', () => undefined);
      verdict = { allowed: false, reason: 'test denies', policy: 'shop/deny-all' };
      proxy.reauthorize();
      await stayingClosed;
    } finally {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await workload.close();
    }
  });
});
