import { ZTUNNEL_FLAGS } from '@ambit/dataplane/process/proxy-flag-table';
import type { Command } from 'commander';
import { pino } from 'pino';
import { addProxyFlags, proxyFlagValues } from '../proxy-flags';
import { untilSignal } from '../signals';

export function registerZtunnel(program: Command): void {
  const command = program
    .command('ztunnel')
    .description('Run one node’s ztunnel: mTLS (HBONE) and L4 policy for the workloads on that node, configured by the control plane');
  addProxyFlags(command, ZTUNNEL_FLAGS)
    .addHelpText(
      'after',
      '\nRuns until SIGTERM or Ctrl-C (or POST /quitquitquit on the admin port). Logs are JSON lines on standard output.\n\nExample:\n  ambit ztunnel --node node-1 --address 127.11.0.1 --control-plane 127.0.0.1:15010 \\\n    --token-file .ambit/data/nodes/node-1.token --admin-host 127.11.0.1',
    )
    .action(async () => {
      // The proxy code is loaded only when a ztunnel runs (the flag table imports nothing), so every
      // other command starts without it (and the BFF never imports proxy code).
      const { runZtunnel } = await import('@ambit/dataplane/ztunnel/main');
      const { exitWithParent, ztunnelOptions } = await import('@ambit/dataplane/process/proxy-arguments');
      const flags = proxyFlagValues(command, ZTUNNEL_FLAGS);
      if (flags['exit-with-parent']) exitWithParent();
      const logger = pino({ name: 'ztunnel', level: String(flags['log-level']) });
      const starting = new AbortController();
      const signalled = untilSignal().then((signal) => {
        starting.abort();
        return signal;
      });
      let runtime: Awaited<ReturnType<typeof runZtunnel>>;
      try {
        runtime = await runZtunnel({ ...ztunnelOptions(flags), logger, signal: starting.signal });
      } catch (error) {
        if (starting.signal.aborted) return;
        throw error;
      }
      const reason = await Promise.race([signalled, runtime.stopped.then(() => 'quitquitquit')]);
      logger.info({ reason }, 'ztunnel stopping');
      await runtime.stop();
    });
}
