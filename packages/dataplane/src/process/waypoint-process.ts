/**
 * Entry of the bundled waypoint process (dist/proxies/waypoint.cjs; see bundle.ts): the flags of
 * `ambit waypoint`, each defaulting to the environment the kubelet gives a waypoint pod, then runs
 * the waypoint until SIGTERM, SIGINT or /quitquitquit.
 */
import { pino } from 'pino';
import { runWaypoint } from '../waypoint/main';
import { exitWithParent, readProxyFlags, requiredFlag, serveUntilStopped, waypointOptions } from './proxy-arguments';
import { WAYPOINT_FLAGS } from './proxy-flag-table';

const flags = readProxyFlags(process.argv.slice(2), WAYPOINT_FLAGS);
if (flags['exit-with-parent']) exitWithParent();
const logger = pino({ name: 'waypoint', level: requiredFlag(flags, 'log-level') });

void serveUntilStopped(
  'waypoint',
  (signal) => runWaypoint({ ...waypointOptions(flags), logger, signal }),
  (reason) => logger.info({ reason }, 'waypoint stopping'),
);
