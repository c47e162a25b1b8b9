import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RolloutController } from '@ambit/control-plane';
import { type ControlPlane, startControlPlane } from '@ambit/control-plane/control-plane';
import type { StoredObject } from '@ambit/control-plane/store';
import { EmbeddedTelemetry, proxyScrapeTargets } from '@ambit/control-plane/telemetry';
import { ensureProxyBundles } from '@ambit/dataplane/process/bundle';
import type { Logger } from 'pino';
import { type Bff, startBff } from '../server/bff';
import { nodeAddress, nodeIndex } from './addresses';
import { buildConsole, consoleNeedsBuild, consoleProcess, waitForPort } from './console';
import { deploymentReady } from './controllers';
import { DEMO_NAMESPACE, demoManifests } from './demo';
import { proxyCommand } from './images/catalog';
import { consoleLogFile, ztunnelLogFile } from './log-files';
import { EmbeddedWorkloads } from './mesh';
import { GATEWAY_NAME_LABEL } from './waypoint-controller';

/**
 * `ambit up`: the whole mesh on this machine. The control plane runs in this process; each
 * simulated node gets a ztunnel process; waypoints and workloads run as pods on the nodes. The
 * demo (Bookinfo in namespace `demo`, a waypoint, a load generator) is applied on first start
 * only, so changes you make to it survive restarts.
 */
export interface EmbeddedMeshOptions {
  dataDir: string;
  nodes: number;
  /** Number of the first node (default 1); see EmbeddedWorkloadsOptions.firstNode. */
  firstNode?: number;
  demo: boolean;
  xdsPort: number;
  /** The control plane's TLS port (0: any free port), so meshes can run side by side. */
  secureXdsPort?: number;
  monitoringPort: number;
  /** The console API (BFF) port (0: any free port); undefined: no API and no console. */
  apiPort?: number;
  /** Address the API listens on; default 127.0.0.1 (0.0.0.0 in a container). */
  apiHost?: string;
  /** The web console's port; undefined: no console (the API still runs if apiPort is set). */
  consolePort?: number;
  logger: Logger;
}

export interface EmbeddedMesh {
  readonly controlPlane: ControlPlane;
  readonly workloads: EmbeddedWorkloads;
  /** Drives every Flagger Canary in the store (state in the Canary's status: a restart resumes the run). */
  readonly rollouts: RolloutController;
  readonly demoApplied: boolean;
  readonly bff: Bff | undefined;
  /** The console's URL once it is built and started; the build runs in the background. */
  readonly console: Promise<string> | undefined;
  stop(): Promise<void>;
}

export const UP_AUTHOR = 'system:ambit-up';

export function nodeTokenFile(dataDir: string, node: string): string {
  return join(dataDir, 'nodes', `${node}.token`);
}

export async function startEmbeddedMesh(options: EmbeddedMeshOptions): Promise<EmbeddedMesh> {
  const controlPlane = await startControlPlane({
    dataDir: options.dataDir,
    xdsPort: options.xdsPort,
    ...(options.secureXdsPort !== undefined ? { secureXdsPort: options.secureXdsPort } : {}),
    monitoringPort: options.monitoringPort,
    logger: options.logger,
  });
  const controlPlaneAddress = `127.0.0.1:${controlPlane.xds.port}`;
  try {
    const { store, ca } = controlPlane;
    const demoApplied = options.demo && !store.get({ kind: 'Namespace', namespace: '', name: DEMO_NAMESPACE });
    if (demoApplied) {
      const manifests = demoManifests();
      store.apply(
        manifests.map((m) => m.object),
        { author: UP_AUTHOR, defaultNamespace: DEMO_NAMESPACE, locations: manifests.map((m) => m.location) },
      );
    }
    mkdirSync(join(options.dataDir, 'nodes'), { recursive: true, mode: 0o700 });
    const workloads = new EmbeddedWorkloads({
      store,
      nodeCount: options.nodes,
      ...(options.firstNode ? { firstNode: options.firstNode } : {}),
      dataDir: options.dataDir,
      // Waypoints are pods too; like a node's ztunnel, they get certificates with the node token.
      extraEnv: (pod: StoredObject, node: string) => {
        const gateway = pod.metadata.labels?.[GATEWAY_NAME_LABEL];
        return {
          AMBIT_CONTROL_PLANE: controlPlaneAddress,
          AMBIT_TOKEN_FILE: nodeTokenFile(options.dataDir, node),
          ...(gateway ? { WAYPOINT_NAME: `${pod.metadata.namespace}/${gateway}` } : {}),
        };
      },
    });
    // Builds the proxies' bundles now if needed, so launching a ztunnel or waypoint never waits for a build.
    await ensureProxyBundles();
    for (const node of workloads.nodes) {
      const tokenFile = nodeTokenFile(options.dataDir, node);
      await ca.nodeTokens.issueNodeToken(node, { writeTo: tokenFile });
      const address = nodeAddress(nodeIndex(node));
      const ztunnel = proxyCommand('ztunnel', [
        '--node',
        node,
        '--address',
        address,
        '--control-plane',
        controlPlaneAddress,
        '--token-file',
        tokenFile,
        '--admin-host',
        address,
        // Trust the root from the start, so a node with no pods yet is ready too.
        '--root-cert',
        join(options.dataDir, 'ca', 'root-cert.pem'),
      ]);
      workloads.supervisor.start({
        name: `ztunnel/${node}`,
        command: ztunnel.command,
        args: ztunnel.args,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production' },
        logFile: ztunnelLogFile(options.dataDir, node),
      });
    }
    workloads.start();
    // Every proxy's metrics, scraped into a bounded in-memory window: the topology's and audit's traffic.
    const telemetry = new EmbeddedTelemetry({
      targets: () => proxyScrapeTargets(controlPlane.registry.snapshot()),
      logger: options.logger.child({ component: 'telemetry' }),
    });
    telemetry.start();
    const rollouts = new RolloutController({
      store,
      telemetry,
      isReady: (deployment) => deploymentReady(store, deployment),
      logger: options.logger.child({ component: 'rollouts' }),
    });
    rollouts.start();
    const bff =
      options.apiPort === undefined
        ? undefined
        : await startBff({
            controlPlane,
            telemetry,
            dataDir: options.dataDir,
            ...(options.apiHost ? { host: options.apiHost } : {}),
            port: options.apiPort,
            logger: options.logger.child({ component: 'bff' }),
          });
    const consoleUrl = bff && options.consolePort !== undefined ? startConsole(workloads, bff, options.consolePort, options) : undefined;
    // The caller handles the console's failure; this keeps an early failure from being unhandled.
    consoleUrl?.catch(() => undefined);
    return {
      controlPlane,
      workloads,
      rollouts,
      demoApplied,
      bff,
      console: consoleUrl,
      async stop() {
        await rollouts.stop();
        await workloads.stop();
        await telemetry.stop();
        await bff?.close();
        await controlPlane.stop();
      },
    };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}

/** Builds the console if needed (in the background: the mesh does not wait), then runs it supervised. */
async function startConsole(workloads: EmbeddedWorkloads, bff: Bff, port: number, options: EmbeddedMeshOptions): Promise<string> {
  const logger = options.logger.child({ component: 'console' });
  if (consoleNeedsBuild()) {
    logger.info('building the web console (first start, or its sources changed); the mesh is already running');
    await buildConsole((line) => logger.debug({ build: line }));
    logger.info('web console built');
  }
  workloads.supervisor.start(consoleProcess({ port, bffUrl: bff.url, logFile: consoleLogFile(options.dataDir) }));
  // "Ready" means answering, not launched: the URL printed must open.
  await waitForPort('127.0.0.1', port, 60_000);
  return `http://127.0.0.1:${port}`;
}
