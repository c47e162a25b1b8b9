import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE_FLAGS, controlPlaneConnection, durationSeconds, parseFlags, portFlag, requiredFlag } from './proxy-arguments';

describe('proxy process arguments (the bundled ztunnel and waypoint entries)', () => {
  it('reads the flags `ambit ztunnel` takes, with their defaults', () => {
    const flags = parseFlags(['--node', 'node-1', '--address', '127.11.0.1', '--hbone-port', '0', '--xds-max-backoff', '1m'], {
      ...CONTROL_PLANE_FLAGS,
      node: { type: 'string' },
      address: { type: 'string' },
      'hbone-port': { type: 'string' },
    });
    expect(requiredFlag(flags, 'node')).toBe('node-1');
    expect(portFlag(flags, 'hbone-port', 15008)).toBe(0);
    expect(flags['log-level']).toBe('info');
    expect(controlPlaneConnection(flags)).toEqual({ xdsMaxBackoffMs: 60_000 });
  });

  it('names a missing required flag and refuses a bad port or duration', () => {
    const flags = parseFlags(['--hbone-port', '70000'], { 'hbone-port': { type: 'string' }, node: { type: 'string' } });
    expect(() => requiredFlag(flags, 'node')).toThrow("required option '--node' not specified");
    expect(requiredFlag(flags, 'node', 'from-env')).toBe('from-env');
    expect(() => portFlag(flags, 'hbone-port', 15008)).toThrow('--hbone-port must be a port number');
    expect(() => durationSeconds('soon')).toThrow('must be a duration');
    expect(durationSeconds('1h30m')).toBe(5400);
  });

  it('rejects a flag the proxy does not know, as the CLI does', () => {
    expect(() => parseFlags(['--nod', 'x'], { node: { type: 'string' } })).toThrow();
  });
});
