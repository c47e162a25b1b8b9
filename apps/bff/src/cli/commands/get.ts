import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { kindArgument, labelSelector, outputFormat } from '../arguments';
import { print, withClient } from '../context';
import { type OutputFormat, printObjects } from '../output/print';

interface GetOptions {
  namespace: string;
  allNamespaces?: boolean;
  output: OutputFormat;
  selector?: (labels: Record<string, string> | undefined) => boolean;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description('Show objects of one kind, or one object by name')
    .argument('<kind>', 'kind, plural or short name: services, svc, authorizationpolicies, ap, httproutes...')
    .argument('[name]', 'object name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-o, --output <format>', 'table, json, yaml or name', outputFormat, 'table')
    .option('-l, --selector <labels>', 'only objects with these labels (app=reviews,version=v1)', labelSelector)
    .addHelpText('after', '\nExamples:\n  ambit get svc -n demo\n  ambit get httproute reviews -n demo -o yaml > reviews.yaml')
    .action(async (kind: string, name: string | undefined, options: GetOptions, command: Command) => {
      const info = kindArgument(kind);
      const namespace = info.namespaced ? options.namespace : '';
      await withClient(command, (client) => {
        if (name) {
          const object = client.get({ kind: info.kind, namespace, name });
          if (!object) {
            throw new AmbitError('NotFound', `${info.kind} "${name}" not found${namespace ? ` in namespace "${namespace}"` : ''}`);
          }
          print(printObjects([object], options.output, { kind: info.kind, allNamespaces: false, single: true }));
          return;
        }
        const allNamespaces = Boolean(options.allNamespaces) && info.namespaced;
        const objects = client
          .list(info.kind, info.namespaced && !allNamespaces ? namespace : undefined)
          .filter((o) => !options.selector || options.selector(o.metadata.labels));
        if (objects.length === 0 && options.output === 'table') {
          process.stderr.write(`No ${info.plural} found${info.namespaced && !allNamespaces ? ` in namespace "${namespace}"` : ''}.\n`);
          return;
        }
        print(printObjects(objects, options.output, { kind: info.kind, allNamespaces, single: false }));
      });
    });
}
