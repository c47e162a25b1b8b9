import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { Command } from 'commander';
import { pino } from 'pino';
import { port } from '../arguments';
import { type ControlPlaneFlags, controlPlaneConnection, controlPlaneFlags } from '../proxy-flags';
import { untilSignal } from '../signals';

interface ZtunnelCommandOptions extends ControlPlaneFlags {
  node: string;
  address: string;
  controlPlane: string;
  tokenFile: string;
  trustDomain: string;
  adminHost: string;
  hbonePort: number;
  inboundPort: number;
  adminPort: number;
  metricsPort: number;
  readinessPort: number;
}

export function registerZtunnel(program: Command): void {
  const command = program
    .command('ztunnel')
    .description('Run one node’s ztunnel: mTLS (HBONE) and L4 policy for the workloads on that node, configured by the control plane')
    .requiredOption('--node <name>', 'the node this ztunnel serves')
    .requiredOption('--address <ip>', 'the node’s address: HBONE (15008), plaintext inbound (15006), metrics (15020), readiness (15021)')
    .option('--control-plane <host:port>', 'the control plane’s xDS and CA port', `127.0.0.1:${DEFAULT_PORTS.xds}`)
    .requiredOption('--token-file <file>', 'the node token the control plane issued for this node')
    .option('--trust-domain <domain>', 'trust domain of this node’s workloads', 'cluster.local')
    .option('--admin-host <ip>', 'loopback address for the admin port (one per node when several run on one machine)', '127.0.0.1')
    .option('--hbone-port <port>', 'HBONE port', port, 15008)
    .option('--inbound-port <port>', 'plaintext inbound port', port, 15006)
    .option('--admin-port <port>', 'admin port (/config_dump, /certs, /logging, /quitquitquit)', port, 15000)
    .option('--metrics-port <port>', 'Prometheus metrics port', port, 15020)
    .option('--readiness-port <port>', 'readiness port (/healthz/ready)', port, 15021);
  controlPlaneFlags(command, 'first workload’s')
    .addHelpText(
      'after',
      '\nRuns until SIGTERM or Ctrl-C (or POST /quitquitquit on the admin port). Logs are JSON lines on standard output.\n\nExample:\n  ambit ztunnel --node node-1 --address 127.11.0.1 --control-plane 127.0.0.1:15010 \\\n    --token-file .ambit/data/nodes/node-1.token --admin-host 127.11.0.1',
    )
    .action(async (options: ZtunnelCommandOptions) => {
      // The one place apps/bff reaches the dataplane: loaded only when a ztunnel runs, so every
      // other command starts without it (and the BFF never imports proxy code).
      const { runZtunnel } = await import('@ambit/dataplane/ztunnel/main');
      const logger = pino({ name: 'ztunnel', level: options.logLevel });
      const starting = new AbortController();
      const signalled = untilSignal().then((signal) => {
        starting.abort();
        return signal;
      });
      let runtime: Awaited<ReturnType<typeof runZtunnel>>;
      try {
        runtime = await runZtunnel({
          node: options.node,
          nodeAddress: options.address,
          controlPlane: options.controlPlane,
          tokenFile: resolve(options.tokenFile),
          trustDomain: options.trustDomain,
          adminHost: options.adminHost,
          ports: {
            hbone: options.hbonePort,
            inboundPlaintext: options.inboundPort,
            admin: options.adminPort,
            metrics: options.metricsPort,
            readiness: options.readinessPort,
          },
          ...controlPlaneConnection(options),
          logger,
          signal: starting.signal,
        });
      } catch (error) {
        if (starting.signal.aborted) return;
        throw error;
      }
      const reason = await Promise.race([signalled, runtime.stopped.then(() => 'quitquitquit')]);
      logger.info({ reason }, 'ztunnel stopping');
      await runtime.stop();
    });
}
