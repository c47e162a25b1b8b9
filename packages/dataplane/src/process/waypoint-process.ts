/**
 * Entry of the bundled waypoint process (dist/proxies/waypoint.cjs; see bundle.ts): the flags of
 * `ambit waypoint`, each defaulting to the environment the kubelet gives a waypoint pod, then runs
 * the waypoint until SIGTERM, SIGINT or /quitquitquit.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import { runWaypoint } from '../waypoint/main';
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

const env = process.env;
const flags = parseFlags(process.argv.slice(2), {
  ...CONTROL_PLANE_FLAGS,
  name: { type: 'string' },
  address: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  'pod-name': { type: 'string' },
  'hbone-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'readiness-port': { type: 'string' },
});
if (flags['exit-with-parent']) exitWithParent();
const name = requiredFlag(flags, 'name', env.WAYPOINT_NAME);
const [gatewayNamespace = '', gatewayName = ''] = name.split('/');
const podName = stringFlag(flags, 'pod-name', env.POD_NAME);
const adminHost = stringFlag(flags, 'admin-host');
const logger = pino({ name: 'waypoint', level: stringFlag(flags, 'log-level', 'info') });

void serveUntilStopped(
  'waypoint',
  (signal) =>
    runWaypoint({
      name,
      address: requiredFlag(flags, 'address', env.POD_IP),
      controlPlane: requiredFlag(flags, 'control-plane', env.AMBIT_CONTROL_PLANE ?? '127.0.0.1:15010'),
      tokenFile: resolve(requiredFlag(flags, 'token-file', env.AMBIT_TOKEN_FILE)),
      node: requiredFlag(flags, 'node', env.NODE_NAME),
      namespace: stringFlag(flags, 'namespace', env.POD_NAMESPACE) ?? gatewayNamespace,
      serviceAccount: stringFlag(flags, 'service-account', env.SERVICE_ACCOUNT) ?? gatewayName,
      ...(podName ? { podName } : {}),
      trustDomain: stringFlag(flags, 'trust-domain', 'cluster.local'),
      ...(adminHost ? { adminHost } : {}),
      ports: {
        hbone: portFlag(flags, 'hbone-port', 15008),
        admin: portFlag(flags, 'admin-port', 15000),
        metrics: portFlag(flags, 'metrics-port', 15020),
        readiness: portFlag(flags, 'readiness-port', 15021),
      },
      ...controlPlaneConnection(flags),
      logger,
      signal,
    }),
  (reason) => logger.info({ reason }, 'waypoint stopping'),
);
