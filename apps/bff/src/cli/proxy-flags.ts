import type { ProxyFlag } from '@ambit/dataplane/process/proxy-flag-table';
import { type Command, Option } from 'commander';
import { duration, port } from './arguments';

/**
 * The options of the proxy commands (`ambit ztunnel`, `ambit waypoint`), built from the dataplane's
 * flag table that the bundled proxies read too: the same names, values, defaults, environment
 * variables and help, so the two cannot drift.
 */

const PARSERS = { port, duration } as const;

/** Flag name (`hbone-port`) → value, as the dataplane's proxy-arguments reads them. */
export type ProxyFlagValues = Record<string, string | number | boolean | undefined>;

function optionOf(flag: ProxyFlag): Option {
  const option = new Option(`--${flag.name}${flag.placeholder ? ` ${flag.placeholder}` : ''}`, flag.help);
  const parse = flag.type === 'port' || flag.type === 'duration' ? PARSERS[flag.type] : undefined;
  if (parse) option.argParser(parse);
  if (flag.default !== undefined) option.default(parse ? parse(flag.default) : flag.default);
  if (flag.env) option.env(flag.env);
  if (flag.required) option.makeOptionMandatory();
  return option;
}

export function addProxyFlags(command: Command, table: readonly ProxyFlag[]): Command {
  for (const flag of table) command.addOption(optionOf(flag));
  return command;
}

/** The command's values by flag name; an empty value (an empty environment variable) counts as not given. */
export function proxyFlagValues(command: Command, table: readonly ProxyFlag[]): ProxyFlagValues {
  const values: ProxyFlagValues = {};
  for (const flag of table) {
    const option = command.options.find((o) => o.long === `--${flag.name}`);
    const value: unknown = option ? command.getOptionValue(option.attributeName()) : undefined;
    if (value !== undefined && value !== '') values[flag.name] = value as string | number | boolean;
  }
  return values;
}
