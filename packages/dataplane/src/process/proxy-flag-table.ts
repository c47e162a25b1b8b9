/**
 * The flags of the two proxies, in the one table both front ends read: the CLI (`ambit ztunnel`,
 * `ambit waypoint`, built with commander in apps/bff/src/cli/proxy-flags.ts) and the bundled proxy
 * entries (ztunnel-process.ts, waypoint-process.ts, read by proxy-arguments.ts). It imports
 * nothing, so the CLI may read it at start without loading the proxies.
 */

/** `port`: 0-65535; `duration`: 30s, 15m, 24h, 1h30m or plain seconds, read as whole seconds. */
export type ProxyFlagType = 'string' | 'port' | 'duration' | 'boolean';

export interface ProxyFlag {
  /** The long name, without the dashes. */
  readonly name: string;
  readonly type: ProxyFlagType;
  /** What the value is, as help shows it (`<file>`); booleans take no value. */
  readonly placeholder?: string;
  readonly help: string;
  /** Taken when neither the flag nor its environment variable is given; as typed on the command line. */
  readonly default?: string;
  /** Read when the flag is absent (the environment the kubelet gives a pod). */
  readonly env?: string;
  readonly required?: boolean;
}

const port = (name: string, help: string, value: number): ProxyFlag => ({
  name,
  type: 'port',
  placeholder: '<port>',
  help,
  default: String(value),
});

/** Istio's proxy ports, the same for both proxies. */
const ADMIN_PORTS: readonly ProxyFlag[] = [
  port('admin-port', 'admin port (/config_dump, /certs, /logging, /debug/flows, /quitquitquit)', 15000),
  port('metrics-port', 'Prometheus metrics port', 15020),
  port('readiness-port', 'readiness port (/healthz/ready)', 15021),
];

/** How both proxies reach the control plane and obtain certificates, and how they run. */
const CONTROL_PLANE_FLAGS: readonly ProxyFlag[] = [
  {
    name: 'cert-ttl',
    type: 'duration',
    placeholder: '<duration>',
    help: 'certificate lifetime to ask for (30s, 1h, 24h; default the CA’s)',
    env: 'AMBIT_CERT_TTL',
  },
  {
    name: 'root-cert',
    type: 'string',
    placeholder: '<file>',
    help: 'PEM root(s) to trust for HBONE peers (default: the root the CA returns with the proxy’s certificate)',
  },
  { name: 'xds-root-ca', type: 'string', placeholder: '<file>', help: 'speak TLS to the control plane, trusting this root (port 15012)' },
  {
    name: 'xds-server-name',
    type: 'string',
    placeholder: '<name>',
    help: 'the name in the control plane’s certificate, when it is not the host dialed',
  },
  {
    name: 'xds-max-backoff',
    type: 'duration',
    placeholder: '<duration>',
    help: 'longest wait between attempts to reach a lost control plane (default 30s)',
  },
  { name: 'log-level', type: 'string', placeholder: '<level>', help: 'trace, debug, info, warn or error', default: 'info' },
  // The embedded mesh starts proxies as child processes: they must not outlive it.
  { name: 'exit-with-parent', type: 'boolean', help: 'exit when the process that started this one is gone' },
];

const TRUST_DOMAIN = 'cluster.local';
const CONTROL_PLANE_ADDRESS = '127.0.0.1:15010';

export const ZTUNNEL_FLAGS: readonly ProxyFlag[] = [
  { name: 'node', type: 'string', placeholder: '<name>', help: 'the node this ztunnel serves', required: true },
  {
    name: 'address',
    type: 'string',
    placeholder: '<ip>',
    help: 'the node’s address: HBONE (15008), plaintext inbound (15006), metrics (15020), readiness (15021)',
    required: true,
  },
  {
    name: 'control-plane',
    type: 'string',
    placeholder: '<host:port>',
    help: 'the control plane’s xDS and CA port',
    default: CONTROL_PLANE_ADDRESS,
  },
  {
    name: 'token-file',
    type: 'string',
    placeholder: '<file>',
    help: 'the node token the control plane issued for this node',
    required: true,
  },
  { name: 'trust-domain', type: 'string', placeholder: '<domain>', help: 'trust domain of this node’s workloads', default: TRUST_DOMAIN },
  {
    name: 'admin-host',
    type: 'string',
    placeholder: '<ip>',
    help: 'loopback address for the admin port (one per node when several run on one machine)',
    default: '127.0.0.1',
  },
  port('hbone-port', 'HBONE port', 15008),
  port('inbound-port', 'plaintext inbound port', 15006),
  ...ADMIN_PORTS,
  ...CONTROL_PLANE_FLAGS,
];

export const WAYPOINT_FLAGS: readonly ProxyFlag[] = [
  {
    name: 'name',
    type: 'string',
    placeholder: '<ns/name>',
    help: 'the waypoint’s Gateway',
    env: 'WAYPOINT_NAME',
    required: true,
  },
  {
    name: 'address',
    type: 'string',
    placeholder: '<ip>',
    help: 'the pod’s address: HBONE (15008), metrics (15020), readiness (15021)',
    env: 'POD_IP',
    required: true,
  },
  {
    name: 'control-plane',
    type: 'string',
    placeholder: '<host:port>',
    help: 'the control plane’s xDS and CA port',
    env: 'AMBIT_CONTROL_PLANE',
    default: CONTROL_PLANE_ADDRESS,
  },
  {
    name: 'token-file',
    type: 'string',
    placeholder: '<file>',
    help: 'the token of the node the pod runs on',
    env: 'AMBIT_TOKEN_FILE',
    required: true,
  },
  { name: 'node', type: 'string', placeholder: '<name>', help: 'the node the pod runs on', env: 'NODE_NAME', required: true },
  { name: 'namespace', type: 'string', placeholder: '<ns>', help: 'the pod’s namespace (default the Gateway’s)', env: 'POD_NAMESPACE' },
  {
    name: 'service-account',
    type: 'string',
    placeholder: '<name>',
    help: 'the pod’s service account, its identity (default the Gateway’s name)',
    env: 'SERVICE_ACCOUNT',
  },
  {
    name: 'pod-name',
    type: 'string',
    placeholder: '<name>',
    help: 'the pod’s name, as the control plane lists the proxy',
    env: 'POD_NAME',
  },
  { name: 'trust-domain', type: 'string', placeholder: '<domain>', help: 'trust domain of the waypoint’s identity', default: TRUST_DOMAIN },
  {
    name: 'admin-host',
    type: 'string',
    placeholder: '<ip>',
    help: 'loopback address for the admin port (default the pod’s address when it is loopback, else 127.0.0.1)',
  },
  port('hbone-port', 'HBONE port', 15008),
  ...ADMIN_PORTS,
  ...CONTROL_PLANE_FLAGS,
];
