import http from 'node:http';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { serverNameFor } from '../src/hbone/tls';
import { CLIENT_IDENTITY, ECHO_PORT, SERVER_IDENTITY, startMesh, type TestMesh, WEB_PORT } from './fixtures/mesh';
import { exchange } from './fixtures/net';
import { waitFor } from './fixtures/wait';

let mesh: TestMesh | undefined;
let agent: http.Agent | undefined;

afterEach(async () => {
  agent?.destroy();
  agent = undefined;
  await mesh?.stop();
  mesh = undefined;
});

function keepAliveGet(m: TestMesh, a: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: m.webVip, port: WEB_PORT, localAddress: m.clientAddress, agent: a }, (response) => {
      let body = '';
      response.on('data', (c: Buffer) => {
        body += c.toString();
      });
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The serial of the certificate node B presents to a new handshake for the cart identity. */
function presentedSerial(m: TestMesh): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: m.b.address,
      port: m.b.ztunnel.ports.hbone,
      servername: serverNameFor(SERVER_IDENTITY),
      ca: [m.ca.rootPem],
      ALPNProtocols: ['h2'],
      minVersion: 'TLSv1.3',
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('certificate rotation', () => {
  it('rotates 3-second certificates under load with zero failed connections and keeps established ones', async () => {
    mesh = await startMesh({ net: 13, certTtlSeconds: 3 });
    const m = mesh;
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await keepAliveGet(m, agent)).toBe('hello from cart');
    const firstServerSerial = m.b.certificates.get(SERVER_IDENTITY)?.serialNumber;

    const until = Date.now() + 7_500;
    let ok = 0;
    const failures: string[] = [];
    const worker = async (id: number): Promise<void> => {
      for (let i = 0; Date.now() < until; i++) {
        const payload = `w${id}-${i}`;
        const result = await exchange(m.echoVip, ECHO_PORT, m.clientAddress, payload);
        if (result.error || result.reply.toString() !== `echo:${payload}`)
          failures.push(`${payload}: ${result.error?.message ?? result.reply.toString()}`);
        else ok++;
      }
    };
    const started = Date.now();
    await Promise.all([0, 1, 2, 3].map(worker));
    const elapsed = (Date.now() - started) / 1000;

    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    const rotations = (node: TestMesh['a'], identity: string) =>
      node.certificates.status().find((s) => s.identity === identity)?.rotations ?? 0;
    expect(rotations(m.a, CLIENT_IDENTITY)).toBeGreaterThanOrEqual(2);
    expect(rotations(m.b, SERVER_IDENTITY)).toBeGreaterThanOrEqual(2);
    // New sessions were made with the new client certificates...
    expect(m.a.ztunnel.pool.stats().connects).toBeGreaterThanOrEqual(3);
    // ...and a new handshake meets node B's current certificate, not the first one.
    const current = m.b.certificates.get(SERVER_IDENTITY)?.serialNumber;
    expect(current).not.toBe(firstServerSerial);
    expect(await presentedSerial(m)).toBe(current);
    // The keep-alive connection opened before every rotation still works.
    expect(await keepAliveGet(m, agent)).toBe('hello from cart');
    expect(m.web.peers).toHaveLength(1);
    console.log(
      `rotation under load: ${ok} connections in ${elapsed.toFixed(1)} s (${(ok / elapsed).toFixed(0)}/s), 0 failed, ` +
        `${rotations(m.a, CLIENT_IDENTITY)} client and ${rotations(m.b, SERVER_IDENTITY)} server rotations, ${m.a.ztunnel.pool.stats().connects} HBONE sessions opened`,
    );
    await waitFor(() => m.a.ztunnel.pool.stats().streams <= 1, 'streams released');
  });
});
