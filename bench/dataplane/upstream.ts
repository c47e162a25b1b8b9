/** Starts the application server (upstream-process.ts) in its own process and waits until it listens. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchProcess, startProcess } from './processes';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'upstream-process.ts');

export async function startUpstream(host: string, port: number): Promise<BenchProcess> {
  const server = startProcess('server', process.execPath, ['--import', 'tsx', SCRIPT, host, String(port)]);
  try {
    await server.waitForLine(/^ready \d+/, 20_000);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}
