import type { Command } from 'commander';
import { kindArgument, positiveInteger } from '../arguments';
import { print, withClient } from '../context';
import { resourceName } from '../output/print';

export function registerRevert(program: Command): void {
  program
    .command('revert')
    .description('Put an object back as an earlier revision left it; recorded as a new revision')
    .argument('<kind>', 'kind, plural or short name')
    .argument('<name>', 'object name')
    .requiredOption('--to-revision <n>', 'the revision to restore (see ambit history)', positiveInteger)
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .addHelpText('after', '\nExample:\n  ambit revert httproute reviews -n demo --to-revision 1')
    .action(async (kind: string, name: string, options: { namespace: string; toRevision: number }, command: Command) => {
      const info = kindArgument(kind);
      const key = { kind: info.kind, namespace: info.namespaced ? options.namespace : '', name };
      const result = await withClient(command, (client) => client.revert(key, options.toRevision));
      const outcome =
        result.action === 'unchanged'
          ? `unchanged (already as revision ${options.toRevision})`
          : `reverted to revision ${options.toRevision}`;
      print(`${resourceName(info.kind, name)} ${outcome}`);
    });
}
