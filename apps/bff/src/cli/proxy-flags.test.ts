import { readProxyFlags } from '@ambit/dataplane/process/proxy-arguments';
import { type ProxyFlag, WAYPOINT_FLAGS, ZTUNNEL_FLAGS } from '@ambit/dataplane/process/proxy-flag-table';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerWaypoint } from './commands/waypoint';
import { registerZtunnel } from './commands/ztunnel';
import { proxyFlagValues } from './proxy-flags';

const PROXIES: [string, readonly ProxyFlag[]][] = [
  ['ztunnel', ZTUNNEL_FLAGS],
  ['waypoint', WAYPOINT_FLAGS],
];

/** `ambit <proxy> …argv` parsed by the real CLI, without starting the proxy. */
async function parseCli(proxy: string, argv: readonly string[]): Promise<Command> {
  const program = new Command('ambit').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerZtunnel(program);
  registerWaypoint(program);
  const command = program.commands.find((c) => c.name() === proxy) as Command;
  command.action(() => undefined);
  await program.parseAsync([proxy, ...argv], { from: 'user' });
  return command;
}

/** A value for every flag of the table, as a user would type it. */
function everyFlag(table: readonly ProxyFlag[]): string[] {
  return table.flatMap((flag) => {
    if (flag.type === 'boolean') return [`--${flag.name}`];
    const value = flag.type === 'port' ? '4100' : flag.type === 'duration' ? '1h30m' : `${flag.name}-value`;
    return [`--${flag.name}`, value];
  });
}

function requiredOnly(table: readonly ProxyFlag[]): string[] {
  return table.filter((f) => f.required).flatMap((f) => [`--${f.name}`, `${f.name}-value`]);
}

describe.each(PROXIES)('`ambit %s` and its bundled proxy read one flag table', (proxy, table) => {
  it('offers exactly the flags of the table', async () => {
    const command = await parseCli(proxy, requiredOnly(table));
    const cli = command.options.map((o) => o.long).filter((name) => name !== '--help');
    expect(cli.sort()).toEqual(table.map((f) => `--${f.name}`).sort());
  });

  it('makes the same values of every flag given, and the same defaults of those not given', async () => {
    for (const argv of [everyFlag(table), requiredOnly(table)]) {
      const cli = proxyFlagValues(await parseCli(proxy, argv), table);
      expect(cli).toEqual(
        Object.fromEntries(Object.entries(readProxyFlags(argv, table, {})).filter(([, v]) => v !== undefined && v !== false)),
      );
      expect(cli['admin-port']).toBe(argv.includes('--admin-port') ? 4100 : 15000);
    }
  });

  it('refuses the same unknown flag and the same missing required one', async () => {
    const argv = [...requiredOnly(table), '--no-such-flag'];
    await expect(parseCli(proxy, argv)).rejects.toMatchObject({ code: 'commander.unknownOption' });
    expect(() => readProxyFlags(argv, table, {})).toThrow(/no-such-flag/);
    const missing = requiredOnly(table).slice(2);
    await expect(parseCli(proxy, missing)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
    expect(() => readProxyFlags(missing, table, {})).toThrow(/required option/);
  });
});

describe('`ambit waypoint` and the bundled waypoint read the pod’s environment alike', () => {
  it('takes a flag from its environment variable when it is not given', async () => {
    const env = { WAYPOINT_NAME: 'demo/waypoint', POD_IP: '127.11.1.9', AMBIT_TOKEN_FILE: '/t', NODE_NAME: 'node-1', AMBIT_CERT_TTL: '1h' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const cli = proxyFlagValues(await parseCli('waypoint', ['--address', '127.11.1.10']), WAYPOINT_FLAGS);
      const bundle = readProxyFlags(['--address', '127.11.1.10'], WAYPOINT_FLAGS, env);
      expect(cli).toMatchObject({ name: 'demo/waypoint', address: '127.11.1.10', node: 'node-1', 'cert-ttl': 3600 });
      expect(cli).toEqual(Object.fromEntries(Object.entries(bundle).filter(([, v]) => v !== undefined && v !== false)));
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
