// `ambit waypoint` as the embedded mesh's kubelet starts it: every flag from the pod's environment.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/ambit.js', import.meta.url));
const POD_ENV = {
  WAYPOINT_NAME: 'demo/waypoint',
  POD_IP: '127.79.1.9',
  AMBIT_CONTROL_PLANE: '127.0.0.1:1',
  AMBIT_TOKEN_FILE: '/nonexistent/node-79.token',
  NODE_NAME: 'node-79',
  POD_NAMESPACE: 'demo',
  SERVICE_ACCOUNT: 'waypoint',
};

function waypoint(env: Record<string, string>, ...args: string[]) {
  const { PATH, HOME } = process.env;
  return spawnSync(process.execPath, [BIN, 'waypoint', ...args], { encoding: 'utf8', env: { PATH, HOME, ...env }, timeout: 30_000 });
}

describe('ambit waypoint', () => {
  it('takes every setting from the pod’s environment, and names the token file it cannot read', () => {
    const run = waypoint(POD_ENV);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot read the node token file /nonexistent/node-79.token');
  });

  it('says which setting is missing when neither a flag nor the environment gives it', () => {
    const { WAYPOINT_NAME: _name, ...withoutName } = POD_ENV;
    const run = waypoint(withoutName);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("required option '--name <ns/name>' not specified");
    expect(waypoint(withoutName, '--name', 'demo').stderr).toContain('must be <namespace>/<name> of its Gateway');
  });
});
