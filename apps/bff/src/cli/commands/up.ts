import { resolve } from 'node:path';
import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { Command } from 'commander';
import { pino } from 'pino';
import { DEMO_NAMESPACE } from '../../embedded/demo';
import { port, positiveInteger } from '../arguments';
import type { GlobalOptions } from '../context';
import { untilSignal } from '../signals';

interface UpOptions {
  nodes: number;
  firstNode: number;
  demo: boolean;
  xdsPort: number;
  secureXdsPort: number;
  monitoringPort: number;
  apiPort: number;
  apiHost: string;
  consolePort: number;
  console: boolean;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run the whole mesh on this machine: control plane, a ztunnel per simulated node, waypoints, workloads, and the demo')
    .option('--nodes <n>', 'simulated nodes, each with its own ztunnel', positiveInteger, 2)
    .option(
      '--first-node <n>',
      'number of the first node (its addresses are 127.(10+n).x.x); to run meshes side by side',
      positiveInteger,
      1,
    )
    .option('--no-demo', 'do not load the demo (Bookinfo in namespace demo, a waypoint, steady traffic)')
    .option('--xds-port <port>', 'control plane xDS and CA port', port, DEFAULT_PORTS.xds)
    .option('--secure-xds-port <port>', 'control plane xDS and CA port over TLS (0: any free port)', port, DEFAULT_PORTS.secureXds)
    .option('--monitoring-port <port>', 'control plane metrics and debug port', port, DEFAULT_PORTS.monitoring)
    .option('--api-port <port>', 'console API (BFF) port', port, 4000)
    .option('--api-host <address>', 'address the console API listens on (0.0.0.0 in a container)', '127.0.0.1')
    .option('--console-port <port>', 'web console port', port, 3000)
    .option('--no-console', 'run the console API but not the web console (no build)')
    .addHelpText(
      'after',
      `\nRuns until interrupted (Ctrl-C), then stops every process it started. The demo is applied on first start only.\nLogs of every process: ambit logs (see --help); control plane logs on standard output.\n\nExample:\n  ambit up --nodes 3`,
    )
    .action(async (options: UpOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      const logger = pino({ name: 'ambit-up', level: process.env.AMBIT_LOG_LEVEL ?? 'info' });
      const { startEmbeddedMesh } = await import('../../embedded/up');
      const mesh = await startEmbeddedMesh({
        dataDir: resolve(dataDir),
        nodes: options.nodes,
        firstNode: options.firstNode,
        demo: options.demo,
        xdsPort: options.xdsPort,
        secureXdsPort: options.secureXdsPort,
        monitoringPort: options.monitoringPort,
        apiPort: options.apiPort,
        apiHost: options.apiHost,
        ...(options.console ? { consolePort: options.consolePort } : {}),
        logger,
      });
      const lines = [
        '',
        `Ambit is up: ${mesh.workloads.nodes.length} nodes, control plane on 127.0.0.1:${mesh.controlPlane.xds.port} (xDS, CA) and :${mesh.controlPlane.monitoring.port} (metrics, /debug/proxy-status).`,
        `Data: ${resolve(dataDir)}`,
        mesh.demoApplied ? `Demo loaded into namespace "${DEMO_NAMESPACE}".` : '',
        mesh.bff ? `Console API: ${mesh.bff.url}/api/trpc` : '',
        mesh.console ? `Console: http://127.0.0.1:${options.consolePort} (building on first start; "console ready" follows)` : '',
        ...(mesh.bff?.initialAdmin
          ? [
              'Created the initial admin user; this password is shown only now:',
              `  username: ${mesh.bff.initialAdmin.username}`,
              `  password: ${mesh.bff.initialAdmin.password}`,
            ]
          : []),
        'Try:',
        `  npx ambit get pods -n ${DEMO_NAMESPACE}`,
        `  npx ambit curl --from ${DEMO_NAMESPACE}/productpage-v1 http://reviews.${DEMO_NAMESPACE}:9080/reviews/0`,
        '  npx ambit proxy-status',
        'Press Ctrl-C to stop everything.',
        '',
      ];
      process.stderr.write(`${lines.filter((l) => l !== '').join('\n')}\n`);
      mesh.console?.then(
        (url) => process.stderr.write(`Console ready: ${url}\n`),
        (error: Error) => process.stderr.write(`The web console could not start: ${error.message}\nThe mesh and the API keep running.\n`),
      );
      const signal = await untilSignal();
      logger.info({ signal }, 'stopping the mesh');
      await mesh.stop();
    });
}
