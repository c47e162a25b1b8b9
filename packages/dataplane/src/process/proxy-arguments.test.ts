import { describe, expect, it } from 'vitest';
import { controlPlaneConnection, durationSeconds, readProxyFlags, waypointOptions, ztunnelOptions } from './proxy-arguments';
import { WAYPOINT_FLAGS, ZTUNNEL_FLAGS } from './proxy-flag-table';

describe('proxy process arguments (the bundled ztunnel and waypoint entries)', () => {
  it('reads the flags `ambit ztunnel` takes, with their defaults from the table', () => {
    const argv = ['--node', 'node-1', '--address', '127.11.0.1', '--token-file', '/t', '--hbone-port', '0', '--xds-max-backoff', '1m'];
    const flags = readProxyFlags(argv, ZTUNNEL_FLAGS, {});
    expect(flags['log-level']).toBe('info');
    expect(controlPlaneConnection(flags)).toEqual({ xdsMaxBackoffMs: 60_000 });
    expect(ztunnelOptions(flags)).toMatchObject({
      node: 'node-1',
      controlPlane: '127.0.0.1:15010',
      trustDomain: 'cluster.local',
      adminHost: '127.0.0.1',
      ports: { hbone: 0, inboundPlaintext: 15006, admin: 15000, metrics: 15020, readiness: 15021 },
    });
  });

  it('takes a waypoint’s flags from the environment the kubelet gives its pod when they are not on the command line', () => {
    const env = { WAYPOINT_NAME: 'demo/waypoint', POD_IP: '127.11.1.9', AMBIT_TOKEN_FILE: '/t', NODE_NAME: 'node-1', POD_NAMESPACE: '' };
    const options = waypointOptions(readProxyFlags(['--address', '127.11.1.10'], WAYPOINT_FLAGS, env));
    expect(options).toMatchObject({ name: 'demo/waypoint', address: '127.11.1.10', namespace: 'demo', serviceAccount: 'waypoint' });
  });

  it('names a missing required flag and refuses a bad port or duration', () => {
    expect(() => readProxyFlags(['--address', 'a', '--token-file', 't'], ZTUNNEL_FLAGS, {})).toThrow(
      "required option '--node' not specified",
    );
    const base = ['--node', 'n', '--address', 'a', '--token-file', 't'];
    expect(() => readProxyFlags([...base, '--hbone-port', '70000'], ZTUNNEL_FLAGS, {})).toThrow('--hbone-port must be a port number');
    expect(() => readProxyFlags(base, ZTUNNEL_FLAGS, { AMBIT_CERT_TTL: 'soon' })).toThrow('must be a duration');
    expect(durationSeconds('1h30m')).toBe(5400);
  });

  it('rejects a flag the proxy does not know, as the CLI does', () => {
    expect(() => readProxyFlags(['--nod', 'x'], ZTUNNEL_FLAGS, {})).toThrow();
    expect(() => readProxyFlags(['--inbound-port', '1'], WAYPOINT_FLAGS, {})).toThrow();
  });
});
