import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_PORT, startMesh, type TestMesh } from './fixtures/mesh';
import { dial, exchange, startRelay, type TcpRelay } from './fixtures/net';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;
let relay: TcpRelay | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await relay?.close();
  relay = undefined;
  await mesh?.stop();
  mesh = undefined;
});

describe('HBONE connection pool', () => {
  it('multiplexes connections over one session per peer and opens another when a session is full', async () => {
    mesh = await startMesh({ net: 14, ztunnel: { maxStreamsPerSession: 2, sessionIdleTimeoutMs: 300 } });
    const m = mesh;
    for (let i = 0; i < 5; i++) {
      const socket = await dial(m.echoVip, ECHO_PORT, m.clientAddress);
      socket.on('error', () => undefined);
      socket.write(`held open ${i}`);
      sockets.push(socket);
    }
    await waitFor(() => m.echo.peers.length === 5, 'five tunnels up');
    expect(m.a.ztunnel.pool.stats()).toEqual({ sessions: 3, streams: 5, connects: 3 });

    for (const s of sockets) s.end();
    // Idle sessions are released after the idle timeout (300 ms here, 5 minutes by default).
    await waitFor(() => m.a.ztunnel.pool.stats().sessions === 0, 'idle sessions released');
    const again = await exchange(m.echoVip, ECHO_PORT, m.clientAddress, 'after idle');
    expect(again.reply.toString()).toBe('echo:after idle');
    expect(m.a.ztunnel.pool.stats().connects).toBe(4);
  });

  it('drops a session that died and reconnects for the next connection', async () => {
    mesh = await startMesh({ net: 14 });
    const m = mesh;
    relay = await startRelay('127.14.3.1', { host: m.b.address, port: m.b.ztunnel.ports.hbone });
    m.routeNodeB(relay.address, relay.port);
    expect((await exchange(m.echoVip, ECHO_PORT, m.clientAddress, 'one')).reply.toString()).toBe('echo:one');
    expect((await exchange(m.echoVip, ECHO_PORT, m.clientAddress, 'two')).reply.toString()).toBe('echo:two');
    expect(m.a.ztunnel.pool.stats()).toMatchObject({ sessions: 1, connects: 1 });

    relay.dropAll();
    await waitFor(() => m.a.ztunnel.pool.stats().sessions === 0, 'dead session removed');
    expect((await exchange(m.echoVip, ECHO_PORT, m.clientAddress, 'three')).reply.toString()).toBe('echo:three');
    expect(m.a.ztunnel.pool.stats()).toMatchObject({ sessions: 1, connects: 2 });
  });
});
