/**
 * The baseline: a fresh process with no store, registry or translators, only the xDS server
 * serving one ztunnel's view — already translated by the control plane and read from a file — to
 * every client from memory. What the real control plane takes beyond this is its own overhead.
 */
import { readFileSync } from 'node:fs';
import {
  type Any,
  contentVersion,
  type DeltaResource,
  encodeDeltaDiscoveryResponse,
  MemoryResourceSource,
  startXdsServer,
  TypeUrl,
} from '@ambit/control-plane/xds';
import { pino } from 'pino';
import { type BaselineRequest, type ExportedView, type Reply, serveRequests, usageReply } from './protocol';

const viewFile = process.argv[2];
if (!viewFile) throw new Error('usage: baseline-process.ts <exported view file>');
const view = JSON.parse(readFileSync(viewFile, 'utf8')) as ExportedView;
const source = new MemoryResourceSource();
let addresses: DeltaResource[] = [];
for (const [typeUrl, entries] of Object.entries(view.types)) {
  const resources = entries.map(([name, value]): [string, Any] => [name, { typeUrl, value: Buffer.from(value, 'base64') }]);
  source.replace(typeUrl, resources);
  if (typeUrl === TypeUrl.address) addresses = resources.map(([name, resource]) => ({ name, version: contentVersion(resource), resource }));
}
const server = await startXdsServer({ port: 0, source, logger: pino({ level: 'warn' }, pino.destination(2)) });

/** Encodes every Address into one delta response, as a full sync sends it: the floor of a full sync. */
function encodeAddresses(id: number, repetitions: number): Reply {
  const encodeMs: number[] = [];
  let encodedBytes = 0;
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    const frame = encodeDeltaDiscoveryResponse({
      systemVersionInfo: 'baseline',
      resources: addresses,
      typeUrl: TypeUrl.address,
      removedResources: [],
      nonce: String(i),
    });
    encodeMs.push(performance.now() - started);
    encodedBytes = frame.length;
  }
  return { id, type: 'encoded', resources: addresses.length, encodeMs, encodedBytes };
}

async function handle(request: Exclude<BaselineRequest, { type: 'stop' }>): Promise<Reply> {
  switch (request.type) {
    case 'usage':
      return usageReply(request.id);
    case 'encode-addresses':
      return encodeAddresses(request.id, request.repetitions);
  }
}

serveRequests<BaselineRequest>({ xdsPort: server.port, cpu: process.cpuUsage() }, handle, () => server.stop());
