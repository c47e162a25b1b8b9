import type { Command } from 'commander';
import { collect } from '../arguments';
import { print, withClient } from '../context';
import { readManifestArgs } from '../input';
import { resourceName } from '../output/print';

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('Create or update objects from manifests. All objects are applied together or none is.')
    .requiredOption('-f, --filename <path>', 'a manifest file, a directory of them, or - for standard input (repeatable)', collect)
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option('--dry-run', 'validate and show what would change, write nothing')
    .addHelpText('after', '\nExamples:\n  ambit apply -f bookinfo.yaml\n  cat policy.yaml | ambit apply -f -')
    .action(async (options: { filename: string[]; namespace: string; dryRun?: boolean }, command: Command) => {
      const manifests = readManifestArgs(options.filename);
      const results = await withClient(command, (client) =>
        client.apply(
          manifests.map((m) => m.object),
          { locations: manifests.map((m) => m.location), defaultNamespace: options.namespace, dryRun: options.dryRun ?? false },
        ),
      );
      const suffix = options.dryRun ? ' (dry run)' : '';
      print(results.map((r) => `${resourceName(r.key.kind, r.key.name)} ${r.action}${suffix}`).join('\n'));
    });
}
