import { createReadStream, readFileSync, statSync, watch } from 'node:fs';
import { resolve } from 'node:path';
import type { StoredObject } from '@ambit/control-plane/store';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { podLogFile, ztunnelLogFile } from '../../embedded/log-files';
import { GATEWAY_NAME_LABEL } from '../../embedded/waypoint-controller';
import { positiveInteger } from '../arguments';
import { type GlobalOptions, withClient } from '../context';

interface LogsOptions {
  namespace: string;
  tail?: number;
  follow?: boolean;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("Print the output of an embedded-mesh process: a pod, a deployment's first pod, a waypoint, or a node's ztunnel")
    .argument('<target>', 'POD, pod/POD, deploy/NAME, waypoint/[NS/]GATEWAY or ztunnel/NODE')
    .option('-n, --namespace <ns>', 'namespace of the pod or deployment', 'default')
    .option('--tail <lines>', 'only the last N lines', positiveInteger)
    .option('-f, --follow', 'keep printing as the process writes')
    .addHelpText(
      'after',
      '\nExamples:\n  ambit logs deploy/reviews-v1 -n demo --tail 20\n  ambit logs waypoint/demo/waypoint\n  ambit logs ztunnel/node-1 -f',
    )
    .action(async (target: string, options: LogsOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<GlobalOptions>();
      const file = await logFileFor(command, resolve(dataDir), target, options.namespace);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new AmbitError('NotFound', `no log for ${target} yet (${file}); is the embedded mesh running (npm start)?`);
      }
      const text = readFileSync(file, 'utf8');
      const lines = options.tail
        ? text
            .split('\n')
            .slice(-(options.tail + 1))
            .join('\n')
        : text;
      process.stdout.write(lines);
      if (options.follow) await follow(file, size);
    });
}

async function logFileFor(command: Command, dataDir: string, target: string, namespace: string): Promise<string> {
  const [kind, name] = target.includes('/') ? (target.split('/', 2) as [string, string]) : ['pod', target];
  if (kind === 'ztunnel') return ztunnelLogFile(dataDir, name);
  if (kind === 'pod' || kind === 'po') return podLogFile(dataDir, namespace, name);
  if (kind === 'deploy' || kind === 'deployment') {
    const pod = await firstPod(command, namespace, (p) =>
      Boolean((p.metadata as { ownerReferences?: { name: string }[] }).ownerReferences?.some((o) => o.name === name)),
    );
    if (!pod) throw new AmbitError('NotFound', `deployment "${name}" has no pods in namespace "${namespace}"`);
    return podLogFile(dataDir, namespace, pod.metadata.name);
  }
  if (kind === 'waypoint') {
    // `waypoint/NS/NAME`, or `waypoint/NAME` in -n's namespace: the pods carrying its gateway-name label.
    const [gatewayNamespace, gateway] = target.split('/').length === 3 ? target.split('/').slice(1) : [namespace, name];
    const pod = await firstPod(command, gatewayNamespace as string, (p) => p.metadata.labels?.[GATEWAY_NAME_LABEL] === gateway);
    if (!pod) throw new AmbitError('NotFound', `waypoint "${gateway}" has no pods in namespace "${gatewayNamespace}"`);
    return podLogFile(dataDir, gatewayNamespace as string, pod.metadata.name);
  }
  throw new AmbitError(
    'InvalidArgument',
    `cannot show logs of "${kind}"; use POD, pod/POD, deploy/NAME, waypoint/[NS/]GATEWAY or ztunnel/NODE`,
  );
}

/** The first pod (by name) of a namespace that `wanted` accepts. */
function firstPod(command: Command, namespace: string, wanted: (pod: StoredObject) => boolean): Promise<StoredObject | undefined> {
  return withClient(
    command,
    (client) =>
      client
        .list('Pod', namespace)
        .filter(wanted)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0],
  );
}

/** Prints what is appended to the file until interrupted. */
function follow(file: string, from: number): Promise<void> {
  let position = from;
  return new Promise(() => {
    watch(file, () => {
      const size = statSync(file).size;
      if (size < position) position = 0; // rotated
      if (size === position) return;
      createReadStream(file, { start: position, end: size - 1 }).pipe(process.stdout, { end: false });
      position = size;
    });
  });
}
