import { AmbitError } from '@ambit/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { print, withClient } from '../context';
import { formatTable } from '../output/table';

/**
 * `ambit ztunnel-config`, like `istioctl ztunnel-config`: what a node's ztunnel knows and holds,
 * read from its admin port (`/config_dump`, `/certs`). The node's admin address is its address in
 * the store's Node object, port 15000; `--admin` points anywhere else.
 */

const ADMIN_PORT = 15000;

type Section = 'workloads' | 'services' | 'policies' | 'certificates';

const SECTIONS: Readonly<Record<string, Section>> = {
  workload: 'workloads',
  workloads: 'workloads',
  service: 'services',
  services: 'services',
  policy: 'policies',
  policies: 'policies',
  certificate: 'certificates',
  certificates: 'certificates',
  certs: 'certificates',
};

// The admin's JSON, as far as this command reads it.
interface DumpedWorkload {
  uid: string;
  name: string;
  namespace: string;
  addresses: string[];
  node: string;
  tunnelProtocol: string;
  status: string;
  identity: string;
  services: Record<string, unknown>;
  waypoint?: { hostname?: { namespace: string; hostname: string }; address?: string };
}

interface DumpedService {
  key: string;
  name: string;
  namespace: string;
  hostname: string;
  addresses: { address: string; node?: string }[];
  ports: { servicePort: number; targetPort: number }[];
  waypoint?: DumpedWorkload['waypoint'];
}

interface DumpedPolicy {
  name: string;
  namespace: string;
  scope: string;
  action: string;
  dryRun?: boolean;
}

interface ConfigDump {
  node: string;
  workloads: DumpedWorkload[];
  services: DumpedService[];
  policies: DumpedPolicy[];
}

interface CertificateStatus {
  identity: string;
  state: string;
  serialNumber?: string;
  notAfter?: string;
  expirySeconds?: number;
  rotations: number;
  lastError?: string;
}

interface AdminTarget {
  node: string;
  url: string;
}

interface ZtunnelConfigOptions {
  node?: string;
  admin?: string;
  output: 'table' | 'json';
}

export function registerZtunnelConfig(program: Command): void {
  program
    .command('ztunnel-config')
    .description('Show what a node’s ztunnel knows (workloads, services, policies) and holds (certificates)')
    .argument('<what>', 'workloads, services, policies or certificates', section)
    .option('--node <name>', 'the node whose ztunnel to ask (default: the first node; certificates: every node)')
    .option('--admin <url>', 'the ztunnel admin address to ask instead, e.g. http://127.11.0.1:15000')
    .option('-o, --output <format>', 'table or json', tableOrJson, 'table')
    .addHelpText('after', '\nExamples:\n  ambit ztunnel-config workloads --node node-1\n  ambit ztunnel-config certificates -o json')
    .action(async (what: Section, options: ZtunnelConfigOptions, command: Command) => {
      const targets = options.admin
        ? [{ node: options.node ?? '-', url: options.admin.replace(/\/+$/, '') }]
        : await withClient(command, (client) => adminTargets(client.list('Node'), options.node));
      if (what === 'certificates') {
        const perNode = await Promise.all(
          targets.map(async (t) => ({ node: t.node, ...(await adminJson<{ certificates: CertificateStatus[] }>(t, '/certs')) })),
        );
        if (options.output === 'json') return print(JSON.stringify(perNode, null, 2));
        return print(certificatesTable(perNode));
      }
      // Every ztunnel holds the same view of workloads, services and policies: one answer is enough.
      const dump = await adminJson<ConfigDump>(targets[0] as AdminTarget, '/config_dump');
      if (options.output === 'json') return print(JSON.stringify(dump[what], null, 2));
      print(what === 'workloads' ? workloadsTable(dump) : what === 'services' ? servicesTable(dump) : policiesTable(dump));
    });
}

function section(value: string): Section {
  const found = SECTIONS[value];
  if (!found) throw new InvalidArgumentError('must be workloads, services, policies or certificates');
  return found;
}

function tableOrJson(value: string): 'table' | 'json' {
  if (value !== 'table' && value !== 'json') throw new InvalidArgumentError('must be table or json');
  return value;
}

interface StoredNode {
  metadata: { name: string };
  status?: unknown;
}

/** The admin address of `node` (or of every node, sorted): its InternalIP (else first address), port 15000. */
export function adminTargets(nodes: readonly StoredNode[], node: string | undefined): AdminTarget[] {
  const selected =
    node === undefined
      ? [...nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      : nodes.filter((n) => n.metadata.name === node);
  if (selected.length === 0) {
    throw new AmbitError(
      'NotFound',
      node === undefined
        ? 'no nodes are registered; pass --admin <url>'
        : `node "${node}" not found; pass --admin <url> to ask a ztunnel directly`,
    );
  }
  return selected.map((n) => {
    const addresses = (n.status as { addresses?: { type?: string; address?: string }[] } | undefined)?.addresses ?? [];
    const address = (addresses.find((a) => a.type === 'InternalIP') ?? addresses[0])?.address;
    if (!address) throw new AmbitError('NotFound', `node "${n.metadata.name}" has no address yet; pass --admin <url>`);
    const host = address.includes(':') ? `[${address}]` : address;
    return { node: n.metadata.name, url: `http://${host}:${ADMIN_PORT}` };
  });
}

async function adminJson<T>(target: AdminTarget, path: string): Promise<T> {
  const url = `${target.url}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new AmbitError(
      'Unavailable',
      `cannot reach the ztunnel admin of node ${target.node} at ${url} (${reason}); is its ztunnel running (ambit ztunnel / ambit up)?`,
    );
  }
  if (!response.ok) throw new AmbitError('Unavailable', `${url} answered ${response.status}: ${(await response.text()).trim()}`);
  return (await response.json()) as T;
}

function byNamespaceAndName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

function waypointName(waypoint: DumpedWorkload['waypoint']): string {
  if (!waypoint) return 'None';
  return waypoint.hostname ? (waypoint.hostname.hostname.split('.')[0] ?? waypoint.hostname.hostname) : (waypoint.address ?? 'None');
}

function workloadsTable(dump: ConfigDump): string {
  const rows = [...dump.workloads]
    .sort(byNamespaceAndName)
    .map((w) => [w.namespace, w.name, w.addresses.join(','), w.node || 'None', waypointName(w.waypoint), w.tunnelProtocol]);
  return formatTable(['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], rows);
}

function servicesTable(dump: ConfigDump): string {
  const rows = [...dump.services].sort(byNamespaceAndName).map((s) => {
    const endpoints = dump.workloads.filter((w) => s.key in w.services);
    const healthy = endpoints.filter((w) => w.status === 'HEALTHY').length;
    return [
      s.namespace,
      s.name,
      s.addresses.map((a) => a.address).join(',') || 'None',
      waypointName(s.waypoint),
      `${healthy}/${endpoints.length}`,
    ];
  });
  return formatTable(['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], rows);
}

function policiesTable(dump: ConfigDump): string {
  const rows = [...dump.policies]
    .sort(byNamespaceAndName)
    .map((p) => [p.namespace, p.name, p.dryRun ? `${p.action} (dry run)` : p.action, scopeName(p.scope, p.namespace)]);
  return formatTable(['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'], rows);
}

/** `Global`, `Namespace <ns>` or `WorkloadSelector`: where the policy applies. */
function scopeName(scope: string, namespace: string): string {
  if (scope === 'NAMESPACE') return `Namespace ${namespace}`;
  if (scope === 'WORKLOAD_SELECTOR') return 'WorkloadSelector';
  return 'Global';
}

function certificatesTable(perNode: readonly { node: string; certificates: CertificateStatus[] }[]): string {
  const rows = perNode.flatMap(({ node, certificates }) =>
    [...certificates]
      .sort((a, b) => a.identity.localeCompare(b.identity))
      .map((c) => [
        node,
        c.identity,
        c.state.toUpperCase(),
        c.serialNumber ?? '-',
        c.notAfter ?? '-',
        c.expirySeconds === undefined ? '-' : `${c.expirySeconds}s`,
        String(c.rotations),
        c.lastError ?? '',
      ]),
  );
  return formatTable(['NODE', 'IDENTITY', 'STATE', 'SERIAL NUMBER', 'NOT AFTER', 'EXPIRES IN', 'ROTATIONS', 'LAST ERROR'], rows);
}
