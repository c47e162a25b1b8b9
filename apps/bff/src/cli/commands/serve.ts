import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { RolloutController } from '@ambit/control-plane/rollout';
import type { Store, StoredObject } from '@ambit/control-plane/store';
import type { LeaderElector } from '@ambit/control-plane/store/kubernetes';
import type { TelemetrySource } from '@ambit/control-plane/telemetry';
import type { WaypointDeployer } from '@ambit/control-plane/waypoint-deployer';
import type { Deployment } from '@ambit/shared';
import type { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { port } from '../arguments';
import {
  addLeaderElectionFlags,
  addStoreFlags,
  addTelemetryFlags,
  addWaypointFlags,
  type BackendOptions,
  leaderElection,
  openChosenStore,
  telemetryFrom,
} from '../backend-flags';
import type { GlobalOptions } from '../context';
import { untilSignal } from '../signals';

interface ServeOptions extends BackendOptions {
  host: string;
  port: number;
  xdsPort: number;
  secureXdsPort: number;
  monitoringPort: number;
  trustProxy?: boolean;
  trustDomain?: string;
  pluginCerts?: string;
}

// The ports module is light; the control plane and the BFF load only when `serve` runs.
const DEFAULTS = { port: 4000, ...DEFAULT_PORTS } as const;

/**
 * Whether a Deployment's current template is fully up, read from its status as Flagger does
 * (serve runs no pods of its own to look at): the status describes this generation, and
 * readyReplicas and updatedReplicas reach spec.replicas.
 */
export function deploymentStatusReady(deployment: StoredObject): boolean {
  const typed = deployment as unknown as Deployment & StoredObject;
  const status = (typed.status ?? {}) as { observedGeneration?: number; readyReplicas?: number; updatedReplicas?: number };
  const desired = typed.spec.replicas ?? 1;
  if (status.observedGeneration !== undefined && status.observedGeneration < typed.metadata.generation) return false;
  return (status.readyReplicas ?? 0) >= desired && (status.updatedReplicas ?? status.readyReplicas ?? 0) >= desired;
}

/** The controllers that write, run by one replica: the rollout controller and, in Kubernetes mode, the waypoint controller. */
interface Controllers {
  rollouts: RolloutController;
  waypoints: WaypointDeployer | undefined;
}

/** The waypoint controller of Kubernetes mode on its store. */
async function startWaypoints(store: Store, image: string | undefined, logger: Logger): Promise<WaypointDeployer> {
  const { WaypointDeployer } = await import('@ambit/control-plane/waypoint-deployer');
  const controller = new WaypointDeployer({ store, logger: logger.child({ component: 'waypoints' }), ...(image ? { image } : {}) });
  controller.start();
  logger.info({ component: 'waypoints' }, 'waypoint controller started');
  return controller;
}

/** The rollout controller on its store; returns how to stop it. */
async function startRollouts(store: Store, telemetry: TelemetrySource | undefined, logger: Logger): Promise<RolloutController> {
  const { RolloutController } = await import('@ambit/control-plane/rollout');
  const controller = new RolloutController({
    store,
    ...(telemetry ? { telemetry } : {}),
    isReady: deploymentStatusReady,
    logger: logger.child({ component: 'rollouts' }),
  });
  controller.start();
  logger.info({ component: 'rollouts' }, 'rollout controller started');
  return controller;
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('Run the control plane and the console API (BFF) without the embedded mesh')
    .option('--host <address>', 'address the API listens on', '127.0.0.1')
    .option('--port <port>', 'API port (0: any free port)', port, DEFAULTS.port)
    .option('--xds-port <port>', 'control plane xDS and CA port, plaintext', port, DEFAULTS.xds)
    .option('--secure-xds-port <port>', 'control plane xDS and CA port over TLS', port, DEFAULTS.secureXds)
    .option('--monitoring-port <port>', 'control plane metrics and debug port', port, DEFAULTS.monitoring)
    .option('--trust-proxy', 'behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of issued certificates', 'cluster.local')
    .option('--plugin-certs <dir>', 'sign with Istio-style plug-in certs (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem)');
  addWaypointFlags(addTelemetryFlags(addLeaderElectionFlags(addStoreFlags(command))))
    .addHelpText(
      'after',
      `\nOn the first start an "admin" user is created and its password printed once; keep it.\nRuns until interrupted (Ctrl-C). Logs are JSON lines on standard output.\n\nExample:\n  ambit serve --port 4000`,
    )
    .action(async (options: ServeOptions, command: Command) => {
      const dataDir = resolve(command.optsWithGlobals<GlobalOptions>().dataDir);
      const telemetry = await telemetryFrom(options);
      const [{ startControlPlane }, { API_PATH, startBff }] = await Promise.all([
        import('@ambit/control-plane/control-plane'),
        import('../../server/bff'),
      ]);
      const logger = pino({ name: 'ambit-serve', level: process.env.AMBIT_LOG_LEVEL ?? 'info' });
      const kubernetesStore = await openChosenStore(options, logger);
      const controlPlane = await startControlPlane({
        ...(kubernetesStore ? { store: kubernetesStore } : {}),
        dataDir,
        xdsPort: options.xdsPort,
        secureXdsPort: options.secureXdsPort,
        monitoringPort: options.monitoringPort,
        ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
        ...(options.pluginCerts ? { pluginCertsDir: resolve(options.pluginCerts) } : {}),
        logger,
      });
      let controllers: Promise<Controllers> | undefined;
      const runControllers = () => {
        controllers ??= Promise.all([
          startRollouts(controlPlane.store, telemetry, logger),
          // Waypoint Deployments are for a cluster; with SQLite there is none to run them.
          kubernetesStore ? startWaypoints(controlPlane.store, options.waypointImage, logger) : undefined,
        ]).then(([rollouts, waypoints]) => ({ rollouts, waypoints }));
        return controllers;
      };
      // One stop at a time, and every caller waits for the passes in flight to finish their writes.
      let stopping = Promise.resolve();
      const stopControllers = () => {
        const running = controllers;
        controllers = undefined;
        if (running) {
          stopping = stopping.then(async () => {
            const { rollouts, waypoints } = await running;
            await Promise.all([rollouts.stop(), waypoints?.stop()]);
          });
        }
        return stopping;
      };
      let elector: LeaderElector | undefined;
      try {
        // With SQLite this is the only writer; in Kubernetes mode only the replica holding the Lease writes.
        elector = kubernetesStore
          ? await leaderElection(kubernetesStore, options, {
              logger: logger.child({ component: 'leader-election' }),
              onStartedLeading: () => void runControllers(),
              onStoppedLeading: () => void stopControllers(),
            })
          : undefined;
        if (elector) elector.start();
        else await runControllers();
        const bff = await startBff({
          controlPlane,
          ...(telemetry ? { telemetry } : {}),
          dataDir,
          host: options.host,
          port: options.port,
          logger: logger.child({ component: 'bff' }),
          trustProxy: options.trustProxy ?? false,
        });
        const lines = [`Ambit API on ${bff.url}${API_PATH} (data: ${dataDir})`];
        if (kubernetesStore) lines.push(`Configuration in the Kubernetes API server at ${kubernetesStore.api.server}`);
        if (telemetry) lines.push(`Telemetry from Prometheus at ${options.prometheusUrl}`);
        if (bff.initialAdmin) {
          lines.push(
            `Created the initial admin user. Sign in with:`,
            `  username: ${bff.initialAdmin.username}`,
            `  password: ${bff.initialAdmin.password}`,
            'This password is shown only now; change it after signing in.',
          );
        }
        lines.push('Press Ctrl-C to stop.');
        process.stderr.write(`${lines.join('\n')}\n`);
        await untilSignal();
        await bff.close();
      } finally {
        // Writes finish first; then the Lease is released, so another replica takes over at once.
        await stopControllers();
        await elector?.stop();
        await controlPlane.stop();
      }
    });
}
