import type { MeshSnapshot } from '@ambit/control-plane/registry';
import type { SimulationHop, SimulationInput, SimulationResult } from '@ambit/control-plane/simulate/index';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { collect, outputFormat, port } from '../arguments';
import { print, withClient } from '../context';
import type { OutputFormat } from '../output/print';
import { formatTable } from '../output/table';

/**
 * `ambit authz check`: what the mesh would decide for one request, hop by hop, from the stored
 * configuration — the simulator, which runs the proxies' own evaluator and route matcher.
 */

export interface RequestOptions {
  from?: string;
  principal?: string;
  sourceIp?: string;
  toService?: string;
  toWorkload?: string;
  port?: number;
  request?: string;
  path?: string;
  host?: string;
  header?: string[];
  trustDomain: string;
  output: OutputFormat;
}

/** The request options `authz check` and `route check` share. */
export function addRequestOptions(command: Command): Command {
  return command
    .option('--from <ns/workload>', 'the sending workload: a pod, a deployment or an app label value')
    .option('--principal <identity>', 'send as this identity instead (spiffe://td/ns/x/sa/y, or ns/x/sa/y)')
    .option('--source-ip <ip>', 'the client address (with --principal, or alone for a plaintext client)')
    .option('--to-service <ns/name>', 'destination Service (or its hostname)')
    .option('--to-workload <ns/name>', 'destination workload, addressed by its pod IP')
    .option('--port <port>', 'service port (or workload port); required', port)
    .option('-X, --request <method>', 'HTTP method')
    .option('--path <path>', 'HTTP path (with any query)')
    .option('--host <host>', 'Host / :authority (default <service>.<namespace>:<port>)')
    .option('-H, --header <name:value>', 'request header (repeatable)', collect)
    .option('--trust-domain <domain>', 'the mesh trust domain', 'cluster.local')
    .option('-o, --output <format>', 'table or json', outputFormat, 'table');
}

export function simulationInputOf(options: RequestOptions): SimulationInput {
  const sources = [options.from, options.principal ?? options.sourceIp].filter((v) => v !== undefined);
  if (sources.length !== 1)
    throw new AmbitError('InvalidArgument', 'name the source once: --from <ns/workload>, or --principal / --source-ip');
  if ((options.toService === undefined) === (options.toWorkload === undefined)) {
    throw new AmbitError('InvalidArgument', 'name the destination once: --to-service <ns/name> or --to-workload <ns/name>');
  }
  if (options.port === undefined) throw new AmbitError('InvalidArgument', 'name the destination port: --port <port>');
  const input: SimulationInput = {
    source:
      options.from !== undefined
        ? { workload: options.from }
        : {
            ...(options.principal !== undefined ? { principal: options.principal } : {}),
            ...(options.sourceIp !== undefined ? { ip: options.sourceIp } : {}),
          },
    destination: options.toService !== undefined ? { service: options.toService } : { workload: options.toWorkload as string },
    port: options.port,
  };
  if (options.request !== undefined) input.method = options.request;
  if (options.path !== undefined) {
    if (!options.path.startsWith('/')) throw new AmbitError('InvalidArgument', `--path must start with /, got "${options.path}"`);
    input.path = options.path;
  }
  if (options.host !== undefined) input.host = options.host;
  if (options.header) input.headers = Object.fromEntries(options.header.map(parseHeader));
  return input;
}

export function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':');
  if (colon <= 0) throw new AmbitError('InvalidArgument', `header "${header}" is not name:value`);
  return [header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()];
}

/** The registry's view of what the store holds, as the control plane would build it. */
export async function storedSnapshot(command: Command, trustDomain: string): Promise<MeshSnapshot> {
  const { REGISTRY_KINDS, buildSnapshot } = await import('@ambit/control-plane/registry');
  const objects = await withClient(command, (client) => REGISTRY_KINDS.flatMap((kind) => client.list(kind)));
  return buildSnapshot(objects, { trustDomain });
}

function decided(hop: SimulationHop): string {
  if (!hop.decidedBy) return '-';
  const rule = hop.decidedBy.ruleIndex !== undefined ? ` rule ${hop.decidedBy.ruleIndex}` : '';
  return `${hop.decidedBy.action} ${hop.decidedBy.policy}${rule}`;
}

export function formatSimulation(result: SimulationResult): string {
  const rows = result.hops.map((hop) => [
    hop.point,
    hop.proxy,
    hop.workload ?? '-',
    hop.seen.principal ?? '(none)',
    hop.decision.toUpperCase(),
    decided(hop),
    hop.reason,
  ]);
  const lines = [formatTable(['HOP', 'PROXY', 'WORKLOAD', 'SEES PRINCIPAL', 'DECISION', 'DECIDED BY', 'WHY'], rows)];
  if (result.route) {
    const r = result.route;
    lines.push(
      '',
      `route: ${r.route}${r.ruleIndex >= 0 ? ` rule ${r.ruleIndex} match ${r.matchIndex}` : ''} → ${r.action}${r.status ? ` ${r.status}` : ''}: ${r.reason}`,
    );
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  lines.push('', `${result.outcome.toUpperCase()}: ${result.summary}`);
  return lines.join('\n');
}

export function registerAuthz(program: Command): void {
  const authz = program.command('authz').description('Authorization tools');
  addRequestOptions(
    authz
      .command('check')
      .description(
        'Simulate a request: the decision at the source ztunnel, the waypoint and each destination ztunnel, and the policy and rule that decided',
      ),
  )
    .addHelpText(
      'after',
      '\nExits 0 when the request would be allowed, 1 when denied (or denied by some endpoints, or unreachable).\nWith --file: checks every request of a YAML/JSON list (fields from, principal, sourceIp, toService,\ntoWorkload, port, method, path, host, headers, expect: allow|deny) and exits 0 only when each got\nthe decision it expects (allow when it names none).\n\nExamples:\n  ambit authz check --from demo/reviews-v2 --to-service demo/ratings --port 9080 -X GET --path /ratings/0\n  ambit authz check --principal ns/other/sa/default --to-workload demo/ratings-v1 --port 9080 -o json\n  ambit authz check --file policy-cases.yaml',
    )
    .option('-f, --file <cases.yaml>', 'check a list of requests, each with the decision it should get')
    .action(async (options: RequestOptions & { file?: string }, command: Command) => {
      const { simulate } = await import('@ambit/control-plane/simulate/index');
      if (options.file !== undefined) {
        const given = [options.from, options.principal, options.sourceIp, options.toService, options.toWorkload, options.port];
        if (given.some((value) => value !== undefined))
          throw new AmbitError('InvalidArgument', '--file holds the requests: give no request flags with it');
        const { checkCases, formatCheckedCases, readRequestCases } = await import('./authz-cases');
        const cases = readRequestCases(options.file);
        const snapshot = await storedSnapshot(command, options.trustDomain);
        const checked = checkCases(cases, options.trustDomain, (input) => simulate(snapshot, input));
        print(options.output === 'json' ? JSON.stringify(checked, null, 2) : formatCheckedCases(checked));
        process.exitCode = checked.every((c) => c.asExpected) ? 0 : 1;
        return;
      }
      const input = simulationInputOf(options);
      const result = simulate(await storedSnapshot(command, options.trustDomain), input);
      print(options.output === 'json' ? JSON.stringify(result, null, 2) : formatSimulation(result));
      process.exitCode = result.outcome === 'allow' ? 0 : 1;
    });
}
