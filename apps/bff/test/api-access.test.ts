import { describe, expect } from 'vitest';
import { ROLES, type Role } from '../src/server/auth/roles';
import { apiClient, type Credentials, failure, routerProcedures, untypedClient } from './support/api-harness';
import { it as apiTest } from './support/api-test';

const PROCEDURES = routerProcedures();

/** Input that a caller with the right role gets an answer to; a subscription replays the store's first changes. */
function probeInput(procedure: (typeof PROCEDURES)[number]): unknown {
  return procedure.type === 'subscription' ? { fromResourceVersion: '0' } : undefined;
}

/** The only procedures callable without credentials. */
const PUBLIC = ['auth.login'];

type Outcome = { ok: true } | ReturnType<typeof failure>;

/** Calls any procedure by path, as a client would: GET for queries, POST for mutations, SSE for subscriptions. */
async function call(apiUrl: string, credentials: Credentials, procedure: (typeof PROCEDURES)[number], input: unknown): Promise<Outcome> {
  const client = untypedClient(apiUrl, credentials);
  try {
    if (procedure.type === 'query') await client.query(procedure.path, input);
    else if (procedure.type === 'mutation') await client.mutation(procedure.path, input);
    else {
      await new Promise<void>((resolve, reject) => {
        // "started" only means the stream opened; a refusal arrives as its first event, data as the first change.
        const subscription = client.subscription(procedure.path, input, {
          onData: () => {
            subscription.unsubscribe();
            resolve();
          },
          onError: reject,
        });
      });
    }
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}

/** `tokenFor(role)`: an API token with that role, created by the admin. */
const it = apiTest.extend('tokenFor', async ({ client }) => {
  return async (role: Role): Promise<string> => (await client.tokens.create.mutate({ name: `test ${role}`, role })).token;
});

describe('API access control, for every procedure of the router', () => {
  it('finds the procedures, and each declares the role it needs', () => {
    expect(PROCEDURES.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'auth.login',
        'auth.logout',
        'auth.me',
        'users.create',
        'tokens.revoke',
        'resources.list',
        'resources.applyManifests',
        'resources.revert',
        'analysis.run',
        'mesh.overview',
        'proxies.list',
        'proxies.configDump',
        'mesh.workload',
        'audit.mtlsReport',
        'audit.mtlsExport',
        'telemetry.versionSeries',
        'audit.list',
        'changes.watch',
      ]),
    );
    for (const procedure of PROCEDURES) {
      expect([...ROLES, 'public'], `${procedure.path} declares no role`).toContain(procedure.role);
      if (procedure.role === 'public') expect(PUBLIC, `${procedure.path} is public`).toContain(procedure.path);
    }
    expect(PROCEDURES.map((p) => p.type)).toContain('subscription');
  });

  it('refuses every non-public procedure without credentials (401), and with a revoked-or-unknown token', async ({ api }) => {
    for (const procedure of PROCEDURES.filter((p) => p.role !== 'public')) {
      const anonymous = await call(api.apiUrl, {}, procedure, probeInput(procedure));
      expect(anonymous, procedure.path).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('sign in') });
      const forged = await call(api.apiUrl, { bearer: 'ambit_not-a-real-token' }, procedure, probeInput(procedure));
      expect(forged, procedure.path).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('unknown, revoked or expired'),
      });
    }
    const mutations = PROCEDURES.filter((p) => p.type === 'mutation' && p.role !== 'public');
    expect(mutations.length).toBeGreaterThan(10);
  });

  it('refuses every procedure to each role below the one it needs (403), and lets that role in', async ({ api, tokenFor }) => {
    const tokens = { viewer: await tokenFor('viewer'), operator: await tokenFor('operator'), admin: await tokenFor('admin') };
    for (const procedure of PROCEDURES.filter((p) => p.role !== 'public')) {
      const required = procedure.role as Role;
      for (const role of ROLES.slice(0, ROLES.indexOf(required))) {
        const outcome = await call(api.apiUrl, { bearer: tokens[role] }, procedure, probeInput(procedure));
        expect(outcome, `${procedure.path} as ${role}`).toMatchObject({
          code: 'FORBIDDEN',
          httpStatus: 403,
          message: `${procedure.path} needs the ${required} role; token:test ${role} is ${role}`,
        });
      }
      // With the role it needs the guard lets the call through: whatever fails now is the (empty) input, not access.
      const allowed = await call(api.apiUrl, { bearer: tokens[required] }, procedure, probeInput(procedure));
      if (!('ok' in allowed))
        expect(['BAD_REQUEST', 'NOT_FOUND'], `${procedure.path} as ${required}: ${allowed.message}`).toContain(allowed.code);
    }
  });

  it('rejects invalid input to every procedure with a clear BAD_REQUEST naming the problem', async ({ api, tokenFor }) => {
    const admin = { bearer: await tokenFor('admin') };
    for (const procedure of PROCEDURES) {
      const outcome = await call(api.apiUrl, admin, procedure, 42);
      expect(outcome, procedure.path).toMatchObject({
        code: 'BAD_REQUEST',
        httpStatus: 400,
        message: expect.stringMatching(/^invalid input: /),
      });
    }
    // The message keeps the field path of the problem.
    const client = apiClient(api.apiUrl, admin);
    const unknownKind = failure(await client.resources.list.query({ kind: 'Pods2' }).catch((e: unknown) => e));
    expect(unknownKind.message).toMatch(/^invalid input: kind: unknown kind "Pods2"; Ambit serves Namespace, /);
    const badName = failure(await client.users.create.mutate({ username: 'Bad Name!', role: 'viewer' }).catch((e: unknown) => e));
    expect(badName).toMatchObject({ code: 'BAD_REQUEST', ambit: { code: 'InvalidInput', details: [{ path: 'username' }] } });
    const unknownField = failure(
      await client.resources.get.query({ kind: 'svc', name: 'x', nmespace: 'demo' } as never).catch((e: unknown) => e),
    );
    expect(unknownField.message).toMatch(/nmespace/);
  });

  it('records every refused mutation in the audit log, as anonymous and with the reason', async ({ api, tokenFor }) => {
    const mutations = PROCEDURES.filter((p) => p.type === 'mutation' && p.role !== 'public');
    for (const procedure of mutations) await call(api.apiUrl, {}, procedure, probeInput(procedure));
    const admin = apiClient(api.apiUrl, { bearer: await tokenFor('admin') });
    for (const procedure of mutations) {
      const { entries } = await admin.audit.list.query({ procedure: procedure.path, outcome: 'failure' });
      expect(entries, procedure.path).toEqual([
        expect.objectContaining({ actor: 'anonymous', clientIp: '127.0.0.1', error: expect.objectContaining({ code: 'UNAUTHORIZED' }) }),
      ]);
    }
  });
});
