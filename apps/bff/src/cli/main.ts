import { AmbitError, formatDetail } from '@ambit/shared';
import { Command, CommanderError } from 'commander';
import { registerAnalyze } from './commands/analyze';
import { registerApply } from './commands/apply';
import { registerAuthz } from './commands/authz';
import { registerControlPlane } from './commands/control-plane';
import { registerCurl } from './commands/curl';
import { registerDelete } from './commands/delete';
import { registerGet } from './commands/get';
import { registerHistory } from './commands/history';
import { registerLogs } from './commands/logs';
import { registerProxyStatus } from './commands/proxy-status';
import { registerRevert } from './commands/revert';
import { registerRoute } from './commands/route';
import { registerServe } from './commands/serve';
import { registerUp } from './commands/up';
import { registerWaypoint } from './commands/waypoint';
import { registerZtunnel } from './commands/ztunnel';
import { registerZtunnelConfig } from './commands/ztunnel-config';
import { DEFAULT_DATA_DIR } from './context';

/** The `ambit` command: one entry point for every capability. */
export function buildProgram(): Command {
  const program = new Command('ambit')
    .description('Ambit: an ambient service mesh with a web console')
    .option('--data-dir <dir>', 'data directory of the embedded store (env AMBIT_DATA_DIR)', process.env.AMBIT_DATA_DIR ?? DEFAULT_DATA_DIR)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerApply(program);
  registerGet(program);
  registerDelete(program);
  registerHistory(program);
  registerRevert(program);
  registerControlPlane(program);
  registerProxyStatus(program);
  registerLogs(program);
  registerAnalyze(program);
  registerUp(program);
  registerCurl(program);
  registerServe(program);
  registerZtunnel(program);
  registerZtunnelConfig(program);
  registerWaypoint(program);
  registerAuthz(program);
  registerRoute(program);
  return program;
}

/** One line for the reason, then one line per field that caused it. */
export function describeFailure(error: unknown): string {
  if (error instanceof AmbitError) {
    const [only] = error.details;
    if (error.details.length === 1 && only) return `error: ${formatDetail(only)}`;
    return [`error: ${error.message}`, ...error.details.map((d) => `  ${formatDetail(d)}`)].join('\n');
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // A command may set a non-zero exit code without failing (analyze with errors found).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Commander already printed usage errors and help; its exit code stands.
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
