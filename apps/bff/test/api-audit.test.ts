import { describe, expect } from 'vitest';
import { apiClient, routerProcedures, signIn } from './support/api-harness';
import { it } from './support/api-test';

const MUTATIONS = routerProcedures()
  .filter((procedure) => procedure.type === 'mutation')
  .map((procedure) => procedure.path);

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`;

describe('audit log', () => {
  it('records every mutation of the router: who, what, the target, before and after, and the outcome', async ({ api, client: admin }) => {
    const secrets: string[] = [api.admin.password];

    // Users and sessions.
    const created = await admin.users.create.mutate({ username: 'olivia', role: 'operator' });
    secrets.push(created.generatedPassword as string);
    await admin.users.setRole.mutate({ username: 'olivia', role: 'viewer' });
    await admin.users.resetPassword.mutate({ username: 'olivia', password: 'olivia has a long passphrase' });
    const olivia = apiClient(api.apiUrl, await signIn(api.apiUrl, 'olivia', 'olivia has a long passphrase'));
    await olivia.auth.changePassword.mutate({ currentPassword: 'olivia has a long passphrase', newPassword: 'and now another one' });
    await olivia.auth.logout.mutate();
    await admin.users.delete.mutate({ username: 'olivia' });
    secrets.push('olivia has a long passphrase', 'and now another one');

    // Tokens.
    const token = await admin.tokens.create.mutate({ name: 'ci', role: 'operator' });
    secrets.push(token.token);
    await admin.tokens.revoke.mutate({ id: token.id });

    // Mesh configuration.
    await admin.resources.applyManifests.mutate({ yaml: SERVICE });
    await admin.resources.applyManifests.mutate({ yaml: SERVICE.replace('port: 80', 'port: 81') });
    await admin.resources.revert.mutate({ kind: 'svc', name: 'web', toRevision: 1 });
    await admin.resources.delete.mutate({ kind: 'svc', name: 'web' });

    // Rollout commands and traffic splits on a mesh that has no Canary and no waypoint: refused, and audited all the same.
    const rollout = { namespace: 'default', name: 'web' };
    const refused = [
      admin.rollouts.promote.mutate(rollout),
      admin.rollouts.pause.mutate(rollout),
      admin.rollouts.resume.mutate(rollout),
      admin.rollouts.abort.mutate(rollout),
      admin.rollouts.retry.mutate(rollout),
      admin.rollouts.approve.mutate({ ...rollout, gate: 'confirm-promotion' }),
      admin.traffic.applySplit.mutate({ namespace: 'default', service: 'web', backends: [{ name: 'web', weight: 100 }] }),
      admin.traffic.undo.mutate({ namespace: 'default', service: 'web' }),
    ];
    for (const outcome of await Promise.allSettled(refused)) expect(outcome.status).toBe('rejected');

    const { entries } = await admin.audit.list.query({ outcome: 'success', limit: 500 });
    const audited = new Set((await admin.audit.list.query({ limit: 500 })).entries.map((e) => e.procedure));
    for (const path of MUTATIONS) expect(audited, `${path} left no audit entry`).toContain(path);
    const everything = JSON.stringify((await admin.audit.list.query({ limit: 500 })).entries);
    for (const secret of secrets) expect(everything).not.toContain(secret);

    const byProcedure = (procedure: string) => entries.filter((e) => e.procedure === procedure);
    expect(byProcedure('auth.login').map((e) => e.actor)).toEqual(['olivia', 'admin']);
    expect(byProcedure('users.setRole')).toEqual([
      expect.objectContaining({
        actor: 'admin',
        target: { kind: 'User', name: 'olivia' },
        before: { username: 'olivia', role: 'operator' },
        after: { username: 'olivia', role: 'viewer' },
        outcome: 'success',
      }),
    ]);
    expect(byProcedure('auth.changePassword')[0]).toMatchObject({ actor: 'olivia', target: { kind: 'User', name: 'olivia' } });
    expect(byProcedure('tokens.revoke')[0]).toMatchObject({
      target: { kind: 'ApiToken', name: token.id },
      before: expect.not.objectContaining({ revokedAt: expect.anything() }),
      after: expect.objectContaining({ revokedAt: expect.any(String) }),
    });
    const [configured, createdService] = byProcedure('resources.applyManifests');
    expect(createdService).toMatchObject({
      target: { kind: 'Service', namespace: 'default', name: 'web' },
      detail: { action: 'created', dryRun: false },
    });
    expect(createdService?.before).toBeUndefined();
    expect(configured).toMatchObject({
      detail: { action: 'configured' },
      before: { spec: { ports: [{ port: 80 }] } },
      after: { spec: { ports: [{ port: 81 }] } },
    });
    expect(byProcedure('resources.revert')[0]).toMatchObject({
      detail: { toRevision: 1, action: 'configured' },
      after: { spec: { ports: [{ port: 80 }] } },
    });
    expect(byProcedure('resources.delete')[0]).toMatchObject({ before: { metadata: { name: 'web' } } });
    expect(byProcedure('resources.delete')[0]?.after).toBeUndefined();
  });

  it('records failed mutations with the error, and filters and pages newest first', async ({ client: admin }) => {
    await admin.resources.applyManifests.mutate({ yaml: SERVICE }).catch(() => undefined);
    await admin.resources.applyManifests.mutate({ yaml: 'kind: [' }).catch(() => undefined);
    await admin.resources.delete.mutate({ kind: 'svc', name: 'missing' }).catch(() => undefined);

    const failures = await admin.audit.list.query({ outcome: 'failure' });
    expect(failures.entries.map((e) => [e.procedure, e.error?.code, e.target?.name])).toEqual([
      ['resources.delete', 'NOT_FOUND', 'missing'],
      ['resources.applyManifests', 'BAD_REQUEST', undefined],
    ]);
    expect(failures.entries[1]?.error?.message).toMatch(/^document 0 is not valid YAML/);

    const byTarget = await admin.audit.list.query({ kind: 'Service', namespace: 'default', name: 'web' });
    expect(byTarget.entries.map((e) => e.procedure)).toEqual(['resources.applyManifests']);

    const first = await admin.audit.list.query({ limit: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.nextCursor).toBeDefined();
    const second = await admin.audit.list.query({ limit: 2, cursor: first.nextCursor });
    expect(second.entries.map((e) => e.procedure)).toEqual(['resources.applyManifests', 'auth.login']);
    expect(second.nextCursor).toBeUndefined();
    expect((first.entries[0]?.id ?? 0) > (second.entries[0]?.id ?? 0)).toBe(true);

    const future = await admin.audit.list.query({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.entries).toEqual([]);
  });
});
