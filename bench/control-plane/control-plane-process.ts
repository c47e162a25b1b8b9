/**
 * The control plane under test, in a process of its own so that its CPU time and memory are its
 * alone: the real `startControlPlane` (SQLite store → registry → translators → xDS server), driven
 * by the benchmark over IPC. It also hands out one ztunnel's translated view for the baseline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '@ambit/control-plane/control-plane';
import { createRegistryResourceSource } from '@ambit/control-plane/translate';
import { jsonToStruct, parseProxyInfo, TypeUrl } from '@ambit/control-plane/xds';
import { pino } from 'pino';
import { benchMesh, roundPolicy } from './mesh';
import { type ControlPlaneRequest, type ExportedView, type Reply, serveRequests, usageReply } from './protocol';

const AUTHOR = 'bench';
const dataDir = mkdtempSync(join(tmpdir(), 'ambit-bench-cp-'));
const logger = pino({ level: 'warn' }, pino.destination(2));
const controlPlane = await startControlPlane({ dataDir, xdsPort: 0, secureXdsPort: 0, monitoringPort: 0, logger });

async function handle(request: Exclude<ControlPlaneRequest, { type: 'stop' }>): Promise<Reply> {
  const { store, registry } = controlPlane;
  switch (request.type) {
    case 'seed': {
      const mesh = benchMesh(request.size);
      const applyStart = performance.now();
      store.apply(mesh.objects, { author: AUTHOR });
      const applyMs = performance.now() - applyStart;
      const statusStart = performance.now();
      for (const write of mesh.statuses) store.updateStatus(write.key, write.status);
      registry.flush();
      const statusMs = performance.now() - statusStart;
      const snapshot = registry.snapshot();
      return {
        id: request.id,
        type: 'seeded',
        applyMs,
        statusMs,
        workloads: snapshot.workloads.size,
        services: snapshot.services.size,
        policies: snapshot.policies.authorizationPolicies.size,
      };
    }
    case 'apply-policy': {
      const started = performance.now();
      store.apply([roundPolicy(request.round, request.kind, request.size).object], { author: AUTHOR });
      return { id: request.id, type: 'applied', applyMs: performance.now() - started };
    }
    case 'acked': {
      // What the server itself recorded: proxies whose latest push of the type is ACKed, nothing pending.
      let proxies = 0;
      let acked = 0;
      for (const proxy of controlPlane.xds.listProxies()) {
        if (!proxy.id.startsWith(request.proxyIdPrefix)) continue;
        proxies++;
        const type = proxy.types.find((t) => t.typeUrl === request.typeUrl);
        if (type?.versionSent !== undefined && type.versionAcked === type.versionSent && !type.pending) acked++;
      }
      return { id: request.id, type: 'acked', proxies, acked };
    }
    case 'usage':
      return usageReply(request.id);
    case 'export-view': {
      // What a ztunnel on that node gets, for the baseline process to serve without store or registry.
      const proxy = parseProxyInfo({
        id: 'baseline',
        metadata: jsonToStruct({ AMBIT_PROXY_KIND: 'ztunnel', NODE_NAME: request.nodeName }),
      });
      if (!proxy) throw new Error('the baseline proxy has no id');
      const translated = createRegistryResourceSource(registry);
      const view: ExportedView = { types: {} };
      let resources = 0;
      for (const typeUrl of [TypeUrl.address, TypeUrl.authorization]) {
        view.types[typeUrl] = [...translated.resources(proxy, typeUrl)].map(([name, entry]) => {
          resources++;
          return [name, Buffer.from(entry.resource.value).toString('base64')];
        });
      }
      translated.close();
      writeFileSync(request.file, JSON.stringify(view));
      return { id: request.id, type: 'view-exported', resources };
    }
  }
}

serveRequests<ControlPlaneRequest>({ xdsPort: controlPlane.xds.port, cpu: process.cpuUsage() }, handle, async () => {
  await controlPlane.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
