import { AmbitError, kindInfo } from '@ambit/shared';
import type { Command } from 'commander';
import { collect, kindArgument } from '../arguments';
import { print, withClient } from '../context';
import { readManifestArgs } from '../input';
import { resourceName } from '../output/print';

interface DeleteOptions {
  filename?: string[];
  namespace: string;
  ignoreNotFound?: boolean;
  dryRun?: boolean;
}

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description('Delete the objects in manifests, or objects of a kind by name')
    .argument('[kind]', 'kind, plural or short name')
    .argument('[names...]', 'object names')
    .option('-f, --filename <path>', 'delete the objects in this manifest file, directory or - (repeatable)', collect)
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--ignore-not-found', 'treat objects that do not exist as deleted')
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .addHelpText('after', '\nExamples:\n  ambit delete -f bookinfo.yaml\n  ambit delete authorizationpolicy deny-ratings -n demo')
    .action(async (kind: string | undefined, names: string[], options: DeleteOptions, command: Command) => {
      const keys = options.filename
        ? readManifestArgs(options.filename).map(({ object }) => ({
            kind: object.kind,
            namespace: kindInfo(object.kind).namespaced ? (object.metadata.namespace ?? options.namespace) : '',
            name: object.metadata.name,
          }))
        : keysFromArguments(kind, names, options.namespace);
      const suffix = options.dryRun ? ' (dry run)' : '';
      await withClient(command, (client) => {
        const lines: string[] = [];
        for (const key of keys) {
          if (!client.get(key)) {
            if (options.ignoreNotFound) continue;
            throw new AmbitError(
              'NotFound',
              `${resourceName(key.kind, key.name)} not found${key.namespace ? ` in namespace "${key.namespace}"` : ''}`,
            );
          }
          client.delete(key, { dryRun: options.dryRun ?? false });
          lines.push(`${resourceName(key.kind, key.name)} deleted${suffix}`);
        }
        print(lines.join('\n'));
      });
    });
}

function keysFromArguments(kind: string | undefined, names: string[], namespace: string) {
  if (!kind || names.length === 0) {
    throw new AmbitError('InvalidArgument', 'say what to delete: -f FILE, or KIND NAME [NAME...]');
  }
  const info = kindArgument(kind);
  return names.map((name) => ({ kind: info.kind, namespace: info.namespaced ? namespace : '', name }));
}
