import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { Command } from 'commander';
import { pino } from 'pino';
import { port } from '../arguments';
import { type ControlPlaneFlags, controlPlaneConnection, controlPlaneFlags } from '../proxy-flags';
import { untilSignal } from '../signals';

interface WaypointCommandOptions extends ControlPlaneFlags {
  name: string;
  address: string;
  controlPlane: string;
  tokenFile: string;
  node: string;
  namespace?: string;
  serviceAccount?: string;
  podName?: string;
  trustDomain: string;
  adminHost?: string;
  hbonePort: number;
  adminPort: number;
  metricsPort: number;
  readinessPort: number;
}

const env = process.env;

export function registerWaypoint(program: Command): void {
  const command = program
    .command('waypoint')
    .description(
      'Run a waypoint: the L7 proxy (HTTP routing, retries, splits, L7 policy) of an istio-waypoint Gateway, configured by the control plane',
    )
    .requiredOption('--name <ns/name>', 'the waypoint’s Gateway (env WAYPOINT_NAME)', env.WAYPOINT_NAME)
    .requiredOption('--address <ip>', 'the pod’s address: HBONE (15008), metrics (15020), readiness (15021) (env POD_IP)', env.POD_IP)
    .option(
      '--control-plane <host:port>',
      'the control plane’s xDS and CA port (env AMBIT_CONTROL_PLANE)',
      env.AMBIT_CONTROL_PLANE ?? `127.0.0.1:${DEFAULT_PORTS.xds}`,
    )
    .requiredOption('--token-file <file>', 'the token of the node the pod runs on (env AMBIT_TOKEN_FILE)', env.AMBIT_TOKEN_FILE)
    .requiredOption('--node <name>', 'the node the pod runs on (env NODE_NAME)', env.NODE_NAME)
    .option('--namespace <ns>', 'the pod’s namespace (env POD_NAMESPACE; default the Gateway’s)', env.POD_NAMESPACE)
    .option(
      '--service-account <name>',
      'the pod’s service account, its identity (env SERVICE_ACCOUNT; default the Gateway’s name)',
      env.SERVICE_ACCOUNT,
    )
    .option('--pod-name <name>', 'the pod’s name, as the control plane lists the proxy (env POD_NAME)', env.POD_NAME)
    .option('--trust-domain <domain>', 'trust domain of the waypoint’s identity', 'cluster.local')
    .option('--admin-host <ip>', 'loopback address for the admin port (default the pod’s address when it is loopback, else 127.0.0.1)')
    .option('--hbone-port <port>', 'HBONE port', port, 15008)
    .option('--admin-port <port>', 'admin port (/config_dump, /certs, /logging, /quitquitquit)', port, 15000)
    .option('--metrics-port <port>', 'Prometheus metrics port', port, 15020)
    .option('--readiness-port <port>', 'readiness port (/healthz/ready)', port, 15021);
  controlPlaneFlags(command, 'waypoint’s')
    .addHelpText(
      'after',
      '\nRuns until SIGTERM or Ctrl-C (or POST /quitquitquit on the admin port). Logs are JSON lines on standard output.\nIn the embedded mesh (ambit up) every flag comes from the environment the kubelet gives the waypoint pod.\n\nExample:\n  ambit waypoint --name demo/waypoint --address 127.11.1.9 --node node-1 \\\n    --token-file .ambit/data/nodes/node-1.token --control-plane 127.0.0.1:15010',
    )
    .action(async (options: WaypointCommandOptions) => {
      // Like `ambit ztunnel`, the dataplane is loaded only when a waypoint runs.
      const { runWaypoint } = await import('@ambit/dataplane/waypoint/main');
      const [gatewayNamespace = '', gatewayName = ''] = options.name.split('/');
      const logger = pino({ name: 'waypoint', level: options.logLevel });
      const starting = new AbortController();
      const signalled = untilSignal().then((signal) => {
        starting.abort();
        return signal;
      });
      let runtime: Awaited<ReturnType<typeof runWaypoint>>;
      try {
        runtime = await runWaypoint({
          name: options.name,
          address: options.address,
          controlPlane: options.controlPlane,
          tokenFile: resolve(options.tokenFile),
          node: options.node,
          namespace: options.namespace || gatewayNamespace,
          serviceAccount: options.serviceAccount || gatewayName,
          ...(options.podName ? { podName: options.podName } : {}),
          trustDomain: options.trustDomain,
          ...(options.adminHost ? { adminHost: options.adminHost } : {}),
          ports: { hbone: options.hbonePort, admin: options.adminPort, metrics: options.metricsPort, readiness: options.readinessPort },
          ...controlPlaneConnection(options),
          logger,
          signal: starting.signal,
        });
      } catch (error) {
        if (starting.signal.aborted) return;
        throw error;
      }
      const reason = await Promise.race([signalled, runtime.stopped.then(() => 'quitquitquit')]);
      logger.info({ reason }, 'waypoint stopping');
      await runtime.stop();
    });
}
