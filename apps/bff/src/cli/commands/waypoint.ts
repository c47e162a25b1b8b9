import { WAYPOINT_FLAGS } from '@ambit/dataplane/process/proxy-flag-table';
import type { Command } from 'commander';
import { pino } from 'pino';
import { addProxyFlags, proxyFlagValues } from '../proxy-flags';
import { untilSignal } from '../signals';

export function registerWaypoint(program: Command): void {
  const command = program
    .command('waypoint')
    .description(
      'Run a waypoint: the L7 proxy (HTTP routing, retries, splits, L7 policy) of an istio-waypoint Gateway, configured by the control plane',
    );
  addProxyFlags(command, WAYPOINT_FLAGS)
    .addHelpText(
      'after',
      '\nRuns until SIGTERM or Ctrl-C (or POST /quitquitquit on the admin port). Logs are JSON lines on standard output.\nIn the embedded mesh (ambit up) every flag comes from the environment the kubelet gives the waypoint pod.\n\nExample:\n  ambit waypoint --name demo/waypoint --address 127.11.1.9 --node node-1 \\\n    --token-file .ambit/data/nodes/node-1.token --control-plane 127.0.0.1:15010',
    )
    .action(async () => {
      // Like `ambit ztunnel`, the dataplane is loaded only when a waypoint runs.
      const { runWaypoint } = await import('@ambit/dataplane/waypoint/main');
      const { exitWithParent, waypointOptions } = await import('@ambit/dataplane/process/proxy-arguments');
      const flags = proxyFlagValues(command, WAYPOINT_FLAGS);
      if (flags['exit-with-parent']) exitWithParent();
      const logger = pino({ name: 'waypoint', level: String(flags['log-level']) });
      const starting = new AbortController();
      const signalled = untilSignal().then((signal) => {
        starting.abort();
        return signal;
      });
      let runtime: Awaited<ReturnType<typeof runWaypoint>>;
      try {
        runtime = await runWaypoint({ ...waypointOptions(flags), logger, signal: starting.signal });
      } catch (error) {
        if (starting.signal.aborted) return;
        throw error;
      }
      const reason = await Promise.race([signalled, runtime.stopped.then(() => 'quitquitquit')]);
      logger.info({ reason }, 'waypoint stopping');
      await runtime.stop();
    });
}
