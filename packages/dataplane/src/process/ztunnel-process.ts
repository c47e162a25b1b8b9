/**
 * Entry of the bundled ztunnel process (dist/proxies/ztunnel.cjs; see bundle.ts): the flags of
 * `ambit ztunnel`, then runs the node's ztunnel until SIGTERM, SIGINT or /quitquitquit.
 */
import { pino } from 'pino';
import { runZtunnel } from '../ztunnel/main';
import { exitWithParent, readProxyFlags, requiredFlag, serveUntilStopped, ztunnelOptions } from './proxy-arguments';
import { ZTUNNEL_FLAGS } from './proxy-flag-table';

const flags = readProxyFlags(process.argv.slice(2), ZTUNNEL_FLAGS);
if (flags['exit-with-parent']) exitWithParent();
const logger = pino({ name: 'ztunnel', level: requiredFlag(flags, 'log-level') });

void serveUntilStopped(
  'ztunnel',
  (signal) => runZtunnel({ ...ztunnelOptions(flags), logger, signal }),
  (reason) => logger.info({ reason }, 'ztunnel stopping'),
);
