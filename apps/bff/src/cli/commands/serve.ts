import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { Command } from 'commander';
import { pino } from 'pino';
import { port } from '../arguments';
import { addStoreFlags, addTelemetryFlags, type BackendOptions, chosenStore, telemetryFrom } from '../backend-flags';
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
  addTelemetryFlags(addStoreFlags(command))
    .addHelpText(
      'after',
      `\nOn the first start an "admin" user is created and its password printed once; keep it.\nRuns until interrupted (Ctrl-C). Logs are JSON lines on standard output.\n\nExample:\n  ambit serve --port 4000`,
    )
    .action(async (options: ServeOptions, command: Command) => {
      const dataDir = resolve(command.optsWithGlobals<GlobalOptions>().dataDir);
      chosenStore(options);
      const telemetry = await telemetryFrom(options);
      const [{ startControlPlane }, { API_PATH, startBff }] = await Promise.all([
        import('@ambit/control-plane/control-plane'),
        import('../../server/bff'),
      ]);
      const logger = pino({ name: 'ambit-serve', level: process.env.AMBIT_LOG_LEVEL ?? 'info' });
      const controlPlane = await startControlPlane({
        dataDir,
        xdsPort: options.xdsPort,
        secureXdsPort: options.secureXdsPort,
        monitoringPort: options.monitoringPort,
        ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
        ...(options.pluginCerts ? { pluginCertsDir: resolve(options.pluginCerts) } : {}),
        logger,
      });
      try {
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
        await controlPlane.stop();
      }
    });
}
