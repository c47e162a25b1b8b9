import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { Command } from 'commander';
import { pino } from 'pino';
import { port } from '../arguments';
import { addStoreFlags, type BackendOptions, openChosenStore } from '../backend-flags';
import type { GlobalOptions } from '../context';
import { untilSignal } from '../signals';

interface ControlPlaneOptions extends BackendOptions {
  host: string;
  secureHost?: string;
  xdsPort: number;
  secureXdsPort: number;
  monitoringPort: number;
  trustDomain?: string;
  pluginCerts?: string;
}

export function registerControlPlane(program: Command): void {
  const command = program
    .command('control-plane')
    .description('Run the control plane: store, registry, xDS server and CA (15010 plaintext, 15012 TLS), monitoring (15014)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--secure-host <address>', 'address the TLS port listens on (default: --host), e.g. 0.0.0.0 to serve other machines')
    .option('--xds-port <port>', 'xDS and CA gRPC port, plaintext (0: any free port)', port, DEFAULT_PORTS.xds)
    .option(
      '--secure-xds-port <port>',
      "xDS and CA gRPC port over TLS, with a certificate from the control plane's CA (0: any free port)",
      port,
      DEFAULT_PORTS.secureXds,
    )
    .option('--monitoring-port <port>', 'metrics, readiness and debug port (0: any free port)', port, DEFAULT_PORTS.monitoring)
    .option('--trust-domain <domain>', 'SPIFFE trust domain of issued certificates', 'cluster.local')
    .option('--plugin-certs <dir>', 'sign with Istio-style plug-in certs (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem)');
  addStoreFlags(command)
    .addHelpText(
      'after',
      '\nRuns until interrupted (Ctrl-C). Logs are JSON lines on standard output.\n' +
        'Clients of the TLS port trust <data-dir>/ca/root-cert.pem; the certificate names istiod.istio-system.svc, localhost and 127.0.0.1.\n\n' +
        'Example:\n  ambit control-plane --data-dir /var/lib/ambit',
    )
    .action(async (options: ControlPlaneOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      const logger = pino({ name: 'ambit-control-plane' });
      // Serves xDS and the CA only: it runs no controllers, so it needs no leader election.
      const store = await openChosenStore(options, logger);
      const { startControlPlane } = await import('@ambit/control-plane/control-plane');
      const controlPlane = await startControlPlane({
        ...(store ? { store } : {}),
        dataDir: resolve(dataDir),
        host: options.host,
        ...(options.secureHost ? { secureHost: options.secureHost } : {}),
        xdsPort: options.xdsPort,
        secureXdsPort: options.secureXdsPort,
        monitoringPort: options.monitoringPort,
        ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
        ...(options.pluginCerts ? { pluginCertsDir: resolve(options.pluginCerts) } : {}),
        logger,
      });
      await untilSignal();
      await controlPlane.stop();
    });
}
