import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureProxyBundles, PROXY_NODE_FLAGS } from '../src/process/bundle';
import { waitFor } from './fixtures/wait';

const ADDRESS = '127.0.0.1';

/** The source of `function <name>(…){…}` in a bundle (its braces balanced; the stub has none inside strings). */
function functionSource(bundle: string, name: string): string {
  const start = bundle.indexOf(`function ${name}(`);
  if (start === -1) throw new Error(`the bundle has no function ${name}`);
  let depth = 0;
  for (let i = bundle.indexOf('{', start); i < bundle.length; i++) {
    if (bundle[i] === '{') depth++;
    else if (bundle[i] === '}' && --depth === 0) return bundle.slice(start, i + 1);
  }
  throw new Error(`function ${name} does not end`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('the bundled ztunnel', () => {
  it('starts without protobufjs and dials its control plane', async () => {
    const { ztunnel } = await ensureProxyBundles(['ztunnel']);
    const bundle = readFileSync(ztunnel, 'utf8');
    // esbuild names every bundled CommonJS module by its path: protobufjs would show as node_modules/(@)protobufjs/.
    expect(bundle).not.toMatch(/node_modules\/@?protobufjs\//);

    const dir = mkdtempSync(join(tmpdir(), 'ambit-ztunnel-bundle-'));
    const dialed: net.Socket[] = [];
    // Stands in for the control plane: the ztunnel's first connection shows it loaded, read its flags and started its clients.
    const controlPlane = net.createServer((socket) => dialed.push(socket.on('error', () => undefined)));
    let child: ChildProcess | undefined;
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        controlPlane.once('error', reject);
        controlPlane.listen({ host: ADDRESS, port: 0 }, resolve);
      });
      const { port } = controlPlane.address() as net.AddressInfo;
      writeFileSync(join(dir, 'token'), 'not-a-real-token\n');
      const ports = ['hbone-port', 'inbound-port', 'admin-port', 'metrics-port', 'readiness-port'].flatMap((flag) => [`--${flag}`, '0']);
      child = spawn(
        process.execPath,
        [
          ...PROXY_NODE_FLAGS.ztunnel,
          ztunnel,
          '--exit-with-parent',
          ...['--node', 'node-a', '--address', ADDRESS, '--admin-host', ADDRESS],
          ...['--control-plane', `${ADDRESS}:${port}`, '--token-file', join(dir, 'token'), '--log-level', 'warn'],
          ...ports,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const running = child;
      await waitFor(
        () => {
          if (running.exitCode !== null) throw new Error(`the ztunnel exited with ${running.exitCode}: ${output}`);
          return dialed.length > 0;
        },
        'the bundled ztunnel to dial its control plane',
        10_000,
      );
      expect(running.exitCode).toBeNull();
      expect(output).not.toMatch(/Cannot find module|is not a function|ReferenceError/);
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
      for (const socket of dialed) socket.destroy();
      await new Promise<void>((resolve) => controlPlane.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('ships a reflection codec stub that names the type it cannot decode', async () => {
    const { ztunnel } = await ensureProxyBundles(['ztunnel']);
    const stub = new Function(
      `${functionSource(readFileSync(ztunnel, 'utf8'), 'reflectionResourceType')}; return reflectionResourceType;`,
    )() as (typeUrl: string) => { typeUrl: string; decode(bytes: Uint8Array): unknown; nameOf(resource: unknown): string };
    const listener = stub('type.googleapis.com/envoy.config.listener.v3.Listener');
    expect(listener.typeUrl).toBe('type.googleapis.com/envoy.config.listener.v3.Listener');
    expect(() => listener.decode(new Uint8Array())).toThrow(
      'the ztunnel decodes only workload API and Node resources, not type.googleapis.com/envoy.config.listener.v3.Listener',
    );
    expect(() => listener.nameOf({})).toThrow(/envoy\.config\.listener\.v3\.Listener/);
  });
});
