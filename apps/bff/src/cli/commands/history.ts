import { AmbitError, encodeManifests } from '@ambit/shared';
import type { Command } from 'commander';
import { kindArgument, outputFormat, positiveInteger } from '../arguments';
import { print, withClient } from '../context';
import type { OutputFormat } from '../output/print';
import { formatTable } from '../output/table';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('Show every change to an object: revision, time, author, what changed')
    .argument('<kind>', 'kind, plural or short name')
    .argument('<name>', 'object name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-o, --output <format>', 'table, json or yaml', outputFormat, 'table')
    .option('--revision <n>', 'show the object as revision N left it', positiveInteger)
    .addHelpText('after', '\nExamples:\n  ambit history httproute reviews -n demo\n  ambit history httproute reviews -n demo --revision 2')
    .action(
      async (kind: string, name: string, options: { namespace: string; output: OutputFormat; revision?: number }, command: Command) => {
        const info = kindArgument(kind);
        const key = { kind: info.kind, namespace: info.namespaced ? options.namespace : '', name };
        await withClient(command, (client) => {
          const revisions = client.history(key);
          if (revisions.length === 0)
            throw new AmbitError(
              'NotFound',
              `${info.kind} "${name}" has no history${key.namespace ? ` in namespace "${key.namespace}"` : ''}`,
            );
          if (options.revision !== undefined) {
            const revision = revisions.find((r) => r.revision === options.revision);
            if (!revision) throw new AmbitError('NotFound', `no revision ${options.revision}; revisions are 1 to ${revisions.length}`);
            print(revision.after ? encodeManifests([revision.after]).trimEnd() : `# revision ${revision.revision} deleted the object`);
            return;
          }
          if (options.output === 'json') return print(JSON.stringify(revisions, null, 2));
          if (options.output === 'yaml') return print(encodeManifests([revisions]).trimEnd());
          const rows = revisions.map((r) => [
            String(r.revision),
            r.time,
            r.author,
            r.message ?? r.operation,
            r.operation === 'create' || r.operation === 'delete' ? '' : r.changedPaths.join(', '),
          ]);
          print(formatTable(['REVISION', 'TIME', 'AUTHOR', 'CHANGE', 'FIELDS'], rows));
        });
      },
    );
}
