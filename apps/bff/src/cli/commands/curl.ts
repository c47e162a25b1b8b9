import { request } from 'node:http';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { findSourcePod, resolveServiceAddress } from '../../embedded/mesh-address';
import { collect, outputFormat, positiveInteger } from '../arguments';
import { print, withClient } from '../context';
import type { OutputFormat } from '../output/print';
import { formatTable } from '../output/table';

interface CurlOptions {
  from: string;
  request: string;
  header?: string[];
  data?: string;
  count?: number;
  output: OutputFormat;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function registerCurl(program: Command): void {
  program
    .command('curl')
    .description('Send HTTP requests from a workload of the embedded mesh, through the mesh, as kubectl exec ... curl would')
    .argument('<url>', 'http://<service>[.<namespace>][:port]/path')
    .requiredOption('--from <ns/workload>', 'the sending workload: a pod, a deployment, or an app label value')
    .option('-X, --request <method>', 'HTTP method', 'GET')
    .option('-H, --header <name:value>', 'request header (repeatable)', collect)
    .option('-d, --data <body>', 'request body')
    .option('-n, --count <n>', 'send N requests and count the answers per backend', positiveInteger)
    .option('-o, --output <format>', 'table or json', outputFormat, 'table')
    .addHelpText(
      'after',
      '\nExamples:\n  ambit curl --from demo/productpage http://reviews.demo:9080/reviews/0\n  ambit curl --from demo/productpage http://reviews.demo:9080/ -n 100',
    )
    .action(async (url: string, options: CurlOptions, command: Command) => {
      const target = parseUrl(url);
      const [namespace, workload] = splitFrom(options.from);
      const { source, address } = await withClient(command, (client) => {
        const lookup = {
          pods: (ns: string) => client.list('Pod', ns),
          service: (ns: string, name: string) => client.get({ kind: 'Service', namespace: ns, name }),
        };
        const pod = findSourcePod(lookup, namespace, workload);
        return { source: pod, address: resolveServiceAddress(lookup, target.hostname, namespace, pod.spec.nodeName ?? '') };
      });
      const headers = Object.fromEntries((options.header ?? []).map(parseHeader));
      const send = () =>
        sendRequest({
          localAddress: source.status?.podIP as string,
          host: address,
          port: target.port,
          path: target.path,
          method: options.request,
          hostHeader: target.host,
          headers,
          body: options.data,
        });
      if (!options.count) {
        const answer = await send();
        if (options.output === 'json') return print(JSON.stringify(answer, null, 2));
        const head = Object.entries(answer.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
        print([`HTTP ${answer.status}`, ...head, '', answer.body].join('\n'));
        process.exitCode = answer.status >= 400 ? 22 : 0;
        return;
      }
      const summary = await sendMany(send, options.count);
      if (options.output === 'json') return print(JSON.stringify(summary, null, 2));
      const rows = Object.entries(summary.backends)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([backend, n]) => [backend, String(n), `${((100 * n) / summary.requests).toFixed(1)}%`]);
      print(formatTable(['BACKEND', 'COUNT', 'SHARE'], rows));
      print(
        `\nstatus: ${Object.entries(summary.statuses)
          .map(([s, n]) => `${s} × ${n}`)
          .join(', ')}`,
      );
      if (summary.failed > 0) process.exitCode = 22;
    });
}

function parseUrl(url: string): { host: string; hostname: string; port: number; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AmbitError('InvalidArgument', `"${url}" is not a URL; use http://<service>.<namespace>:<port>/path`);
  }
  if (parsed.protocol !== 'http:') throw new AmbitError('InvalidArgument', `only http:// URLs are supported (got ${parsed.protocol})`);
  return { host: parsed.host, hostname: parsed.hostname, port: Number(parsed.port || 80), path: `${parsed.pathname}${parsed.search}` };
}

function splitFrom(from: string): [string, string] {
  const [namespace, workload, ...rest] = from.split('/');
  if (!namespace || !workload || rest.length > 0)
    throw new AmbitError('InvalidArgument', `--from must be <namespace>/<workload>, got "${from}"`);
  return [namespace, workload];
}

function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':');
  if (colon <= 0) throw new AmbitError('InvalidArgument', `header "${header}" is not name:value`);
  return [header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()];
}

function sendRequest(r: {
  localAddress: string;
  host: string;
  port: number;
  path: string;
  method: string;
  hostHeader: string;
  headers: Record<string, string>;
  body: string | undefined;
}): Promise<Answer> {
  // A new connection per request, as separate curl runs would make: L4 balancing is per connection.
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: r.host,
        port: r.port,
        path: r.path,
        method: r.method,
        localAddress: r.localAddress,
        headers: { host: r.hostHeader, ...r.headers },
        timeout: 15_000,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    call.on('timeout', () => call.destroy(new Error(`no answer within 15 s from ${r.host}:${r.port}`)));
    call.on('error', (error) => reject(new AmbitError('Unavailable', `request failed: ${error.message}`)));
    if (r.body !== undefined) call.write(r.body);
    call.end();
  });
}

/** Which backend answered: the pod (and version) the demo apps report, else the status. */
function backendOf(answer: Answer): string {
  try {
    const body = JSON.parse(answer.body) as { pod?: unknown; version?: unknown };
    if (typeof body.pod === 'string') return typeof body.version === 'string' ? `${body.pod} (${body.version})` : body.pod;
  } catch {
    // Not JSON: count by status.
  }
  return `status ${answer.status}`;
}

async function sendMany(send: () => Promise<Answer>, count: number) {
  const summary = { requests: count, failed: 0, statuses: {} as Record<string, number>, backends: {} as Record<string, number> };
  for (let i = 0; i < count; i++) {
    const key = await send().then(
      (answer) => {
        summary.statuses[answer.status] = (summary.statuses[answer.status] ?? 0) + 1;
        if (answer.status >= 500) summary.failed++;
        return backendOf(answer);
      },
      (error: Error) => {
        summary.failed++;
        summary.statuses.error = (summary.statuses.error ?? 0) + 1;
        return `error: ${error.message}`;
      },
    );
    summary.backends[key] = (summary.backends[key] ?? 0) + 1;
  }
  return summary;
}
