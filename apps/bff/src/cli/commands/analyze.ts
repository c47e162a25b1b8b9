import { kindInfo, kinds } from '@ambit/shared';
import type { Command } from 'commander';
import { collect, outputFormat } from '../arguments';
import { print, withClient } from '../context';
import { readManifestArgs } from '../input';
import type { OutputFormat } from '../output/print';

interface AnalyzeCommandOptions {
  filename?: string[];
  namespace: string;
  allNamespaces?: boolean;
  output: OutputFormat;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('Find problems in the configuration, as istioctl analyze does: the store, plus files about to be applied')
    .option('-f, --filename <path>', 'also analyse these manifests as if applied (repeatable)', collect)
    .option('-n, --namespace <ns>', 'report on this namespace (and namespace-less files in it)', 'default')
    .option('-A, --all-namespaces', 'report on every namespace')
    .option('-o, --output <format>', 'table (text lines) or json', outputFormat, 'table')
    .addHelpText(
      'after',
      '\nExits 1 when any message is an Error. Codes and the JSON schema: docs/analysis.md.\n\nExamples:\n  ambit analyze -A\n  ambit analyze -f policy.yaml -n demo -o json',
    )
    .action(async (options: AnalyzeCommandOptions, command: Command) => {
      const files = (options.filename ? readManifestArgs(options.filename) : []).map(({ object }) =>
        kindInfo(object.kind).namespaced && !object.metadata.namespace
          ? { ...object, metadata: { ...object.metadata, namespace: options.namespace } }
          : object,
      );
      const { analysisReport, analyze, exitCodeFor, formatMessages } = await import('@ambit/control-plane/analysis');
      const stored = await withClient(command, (client) => kinds.flatMap((k) => client.list(k.kind)));
      const messages = analyze([...stored, ...files], {
        rootNamespace: 'istio-system',
        ...(options.allNamespaces ? {} : { namespaces: [options.namespace] }),
      });
      if (options.output === 'json') print(JSON.stringify(analysisReport(messages), null, 2));
      else if (messages.length === 0) {
        print(
          `✔ No validation issues found when analyzing ${options.allNamespaces ? 'all namespaces' : `namespace: ${options.namespace}`}.`,
        );
      } else print(formatMessages(messages));
      process.exitCode = exitCodeFor(messages);
    });
}
