/**
 * Entry of the bundled ztunnel process (dist/proxies/ztunnel.cjs; see bundle.ts): the flags of
 * `ambit ztunnel`, then runs the node's ztunnel until SIGTERM, SIGINT or /quitquitquit.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import { runZtunnel } from '../ztunnel/main';
import {
  CONTROL_PLANE_FLAGS,
  controlPlaneConnection,
  exitWithParent,
  parseFlags,
  portFlag,
  requiredFlag,
  serveUntilStopped,
  stringFlag,
} from './proxy-arguments';

const flags = parseFlags(process.argv.slice(2), {
  ...CONTROL_PLANE_FLAGS,
  node: { type: 'string' },
  address: { type: 'string' },
  'hbone-port': { type: 'string' },
  'inbound-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'readiness-port': { type: 'string' },
});
if (flags['exit-with-parent']) exitWithParent();
const node = requiredFlag(flags, 'node');
const logger = pino({ name: 'ztunnel', level: stringFlag(flags, 'log-level', 'info') });

void serveUntilStopped(
  'ztunnel',
  (signal) =>
    runZtunnel({
      node,
      nodeAddress: requiredFlag(flags, 'address'),
      controlPlane: requiredFlag(flags, 'control-plane', '127.0.0.1:15010'),
      tokenFile: resolve(requiredFlag(flags, 'token-file')),
      trustDomain: stringFlag(flags, 'trust-domain', 'cluster.local'),
      adminHost: stringFlag(flags, 'admin-host', '127.0.0.1'),
      ports: {
        hbone: portFlag(flags, 'hbone-port', 15008),
        inboundPlaintext: portFlag(flags, 'inbound-port', 15006),
        admin: portFlag(flags, 'admin-port', 15000),
        metrics: portFlag(flags, 'metrics-port', 15020),
        readiness: portFlag(flags, 'readiness-port', 15021),
      },
      ...controlPlaneConnection(flags),
      logger,
      signal,
    }),
  (reason) => logger.info({ reason }, 'ztunnel stopping'),
);
