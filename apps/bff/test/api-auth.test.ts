import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { startBff } from '../src/server/bff';
import { apiClient, expectFailure, signIn } from './support/api-harness';
import { it } from './support/api-test';

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`;

async function postLogin(apiUrl: string, username: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiUrl}/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  return { status: response.status, headers: response.headers, message: body.error?.message };
}

/** Polls an async check until it holds: waits for a real state change (an expiry), never a fixed sleep. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('BFF authentication', () => {
  it('creates the initial admin once, hands its password to the caller only, and stores a scrypt hash', async ({ startApi: start }) => {
    let logs = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += String(chunk);
        done();
      },
    });
    const api = await start({ logger: pino(sink) });
    expect(api.admin.username).toBe('admin');
    expect(api.admin.password.length).toBeGreaterThanOrEqual(20);
    expect(logs).toContain('created the initial admin user');
    expect(logs).not.toContain(api.admin.password);

    // A second start on the same data directory creates nothing and the password still works there.
    const again = await startBff({ controlPlane: api.controlPlane, dataDir: api.dataDir, port: 0, logger: pino({ level: 'silent' }) });
    try {
      expect(again.initialAdmin).toBeUndefined();
      await signIn(`${again.url}/api/trpc`, 'admin', api.admin.password);
    } finally {
      await again.close();
    }

    const db = new Database(join(api.dataDir, 'bff', 'bff.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT password_hash FROM users WHERE username = 'admin'").get() as { password_hash: string };
      expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
      expect(row.password_hash).not.toContain(api.admin.password);
    } finally {
      db.close();
    }
  });

  it('signs in with an HttpOnly, SameSite=Strict session cookie, tells the caller who they are, and signs out', async ({
    startApi: start,
  }) => {
    const api = await start();
    const login = await postLogin(api.apiUrl, 'admin', api.admin.password);
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ambit_session=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);

    const session = await signIn(api.apiUrl, 'admin', api.admin.password);
    const client = apiClient(api.apiUrl, session);
    expect(await client.auth.me.query()).toMatchObject({ kind: 'user', name: 'admin', role: 'admin', csrfToken: session.csrfToken });
    expect(await client.auth.logout.mutate()).toEqual({ signedOut: true });
    const after = await expectFailure(client.auth.me.query());
    expect(after).toMatchObject({ code: 'UNAUTHORIZED', message: 'the session has expired or was signed out; sign in again' });
  });

  it('ends sessions when they expire', async ({ startApi: start }) => {
    const api = await start({ sessionTtlMs: 3_000 });
    const client = apiClient(api.apiUrl, await signIn(api.apiUrl, 'admin', api.admin.password));
    expect((await client.auth.me.query()).name).toBe('admin');
    await eventually('the session to expire', async () => {
      const outcome = await client.auth.me.query().then(
        () => 'signed in',
        () => 'refused',
      );
      return outcome === 'refused';
    });
    expect(await expectFailure(client.mesh.overview.query())).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('marks the cookie Secure, and audits the client address, behind a trusted https proxy', async ({ startApi: start }) => {
    const api = await start({ trustProxy: true });
    const login = await postLogin(api.apiUrl, 'admin', api.admin.password, {
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '192.0.2.10, 10.0.0.1',
    });
    expect(login.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const admin = apiClient(api.apiUrl, await signIn(api.apiUrl, 'admin', api.admin.password));
    const { entries } = await admin.audit.list.query({ procedure: 'auth.login', limit: 2 });
    expect(entries.map((e) => e.clientIp)).toEqual(['127.0.0.1', '192.0.2.10']);
  });

  it('refuses cookie-authenticated mutations without the CSRF token; bearer tokens need none', async ({ startApi: start }) => {
    const api = await start();
    const session = await signIn(api.apiUrl, 'admin', api.admin.password);
    const withoutToken = apiClient(api.apiUrl, { cookie: session.cookie });
    // Reads are fine without it.
    expect((await withoutToken.auth.me.query()).name).toBe('admin');
    const refused = await expectFailure(withoutToken.resources.applyManifests.mutate({ yaml: SERVICE }));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      message: 'missing or wrong CSRF token: send the x-ambit-csrf header with the csrfToken from auth.login or auth.me',
    });
    const wrongToken = apiClient(api.apiUrl, { cookie: session.cookie, csrfToken: 'x'.repeat(43) });
    expect(await expectFailure(wrongToken.users.create.mutate({ username: 'eve', role: 'admin' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(api.controlPlane.store.get({ kind: 'Service', namespace: 'default', name: 'web' })).toBeUndefined();

    const withToken = apiClient(api.apiUrl, session);
    const { token } = await withToken.tokens.create.mutate({ name: 'ci', role: 'operator' });
    expect((await withToken.resources.applyManifests.mutate({ yaml: SERVICE })).results[0]?.action).toBe('created');
    const bearer = apiClient(api.apiUrl, { bearer: token });
    expect((await bearer.resources.delete.mutate({ kind: 'svc', name: 'web' })).deleted.metadata.name).toBe('web');

    const { entries } = await withToken.audit.list.query({ actor: 'admin', outcome: 'failure' });
    expect(entries.map((e) => e.procedure).sort()).toEqual(['resources.applyManifests', 'users.create']);
  });

  it('limits failed sign-ins per username and address: 429 with Retry-After, even for the right password', async ({ startApi: start }) => {
    const api = await start();
    const admin = apiClient(api.apiUrl, await signIn(api.apiUrl, 'admin', api.admin.password));
    await admin.users.create.mutate({ username: 'bob', role: 'viewer', password: 'correct horse battery' });
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await postLogin(api.apiUrl, 'bob', `wrong ${attempt}`)).toMatchObject({
        status: 401,
        message: 'wrong username or password',
      });
    }
    const limited = await postLogin(api.apiUrl, 'bob', 'correct horse battery');
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/^too many failed sign-ins for "bob" from this address; try again in \d+ s$/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another username from the same address is not affected.
    expect((await postLogin(api.apiUrl, 'admin', api.admin.password)).status).toBe(200);

    // Guesses sent all at once cannot outrun the limit: each counts before its password is checked.
    await admin.users.create.mutate({ username: 'dave', role: 'viewer' });
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => postLogin(api.apiUrl, 'dave', `guess ${i}`)));
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(7);

    const { entries } = await admin.audit.list.query({ procedure: 'auth.login', name: 'bob', outcome: 'failure' });
    expect(entries.map((e) => e.error?.code)).toContain('TOO_MANY_REQUESTS');
    expect(entries.filter((e) => e.error?.code === 'UNAUTHORIZED')).toHaveLength(5);
  });

  it('API tokens: shown once, stored hashed, act with their own role, and stop working when revoked', async ({ startApi: start }) => {
    const api = await start();
    const admin = apiClient(api.apiUrl, await signIn(api.apiUrl, 'admin', api.admin.password));
    const created = await admin.tokens.create.mutate({ name: 'deploy bot', role: 'operator', expiresInDays: 30 });
    expect(created.token).toMatch(/^ambit_[\w-]{43}$/);
    expect(JSON.stringify(await admin.tokens.list.query())).not.toContain(created.token);
    const db = new Database(join(api.dataDir, 'bff', 'bff.db'), { readonly: true });
    try {
      expect(JSON.stringify(db.prepare('SELECT * FROM api_tokens').all())).not.toContain(created.token);
    } finally {
      db.close();
    }

    const bot = apiClient(api.apiUrl, { bearer: created.token });
    expect(await bot.auth.me.query()).toEqual({ kind: 'token', name: 'deploy bot', role: 'operator' });
    expect((await bot.resources.applyManifests.mutate({ yaml: SERVICE })).results).toEqual([
      expect.objectContaining({ kind: 'Service', namespace: 'default', name: 'web', action: 'created' }),
    ]);
    expect(api.controlPlane.store.history({ kind: 'Service', namespace: 'default', name: 'web' })[0]?.author).toBe('token:deploy bot');
    expect(await expectFailure(bot.users.list.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect((await admin.tokens.list.query())[0]?.lastUsedAt).toBeDefined();

    const revoked = await admin.tokens.revoke.mutate({ id: created.id });
    expect(revoked.revokedAt).toBeDefined();
    expect(await expectFailure(bot.auth.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the API token is unknown, revoked or expired',
    });
    expect(await expectFailure(admin.tokens.revoke.mutate({ id: '000000000000' }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('user management: roles take effect at once, password resets sign the user out, and the last admin stays', async ({
    startApi: start,
  }) => {
    const api = await start();
    const admin = apiClient(api.apiUrl, await signIn(api.apiUrl, 'admin', api.admin.password));
    const { user, generatedPassword } = await admin.users.create.mutate({ username: 'carol', role: 'operator' });
    expect(user).toMatchObject({ username: 'carol', role: 'operator', createdBy: 'admin' });
    expect(generatedPassword).toMatch(/^[\w-]{24}$/);
    expect(await expectFailure(admin.users.create.mutate({ username: 'carol', role: 'viewer' }))).toMatchObject({
      code: 'CONFLICT',
      message: 'user "carol" already exists: username: is taken; choose another username',
    });

    const carol = apiClient(api.apiUrl, await signIn(api.apiUrl, 'carol', generatedPassword as string));
    await carol.resources.applyManifests.mutate({ yaml: SERVICE });
    await admin.users.setRole.mutate({ username: 'carol', role: 'viewer' });
    expect(await expectFailure(carol.resources.delete.mutate({ kind: 'Service', name: 'web' }))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'resources.delete needs the operator role; carol is viewer',
    });

    const reset = await admin.users.resetPassword.mutate({ username: 'carol', password: 'a brand new passphrase' });
    expect(reset.generatedPassword).toBeUndefined();
    expect(await expectFailure(carol.auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await postLogin(api.apiUrl, 'carol', generatedPassword as string)).status).toBe(401);

    // Changing one's own password needs the current one and signs out the other sessions.
    const first = apiClient(api.apiUrl, await signIn(api.apiUrl, 'carol', 'a brand new passphrase'));
    const second = apiClient(api.apiUrl, await signIn(api.apiUrl, 'carol', 'a brand new passphrase'));
    expect(
      await expectFailure(first.auth.changePassword.mutate({ currentPassword: 'guess', newPassword: 'another long passphrase' })),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'the current password is wrong: currentPassword: does not match your password',
    });
    await first.auth.changePassword.mutate({ currentPassword: 'a brand new passphrase', newPassword: 'another long passphrase' });
    expect((await first.auth.me.query()).name).toBe('carol');
    expect(await expectFailure(second.auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });

    expect(await admin.users.delete.mutate({ username: 'carol' })).toMatchObject({ username: 'carol' });
    expect(await expectFailure(first.auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await admin.users.list.query()).map((u) => u.username)).toEqual(['admin']);

    expect(await expectFailure(admin.users.setRole.mutate({ username: 'admin', role: 'operator' }))).toMatchObject({
      code: 'CONFLICT',
      message:
        'cannot change the role of "admin": it is the last admin: username: "admin" is the only admin; make another user admin first',
    });
    expect(await expectFailure(admin.users.delete.mutate({ username: 'admin' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'you cannot delete your own account: username: is you; ask another admin to delete it',
    });
    expect(await expectFailure(admin.users.setRole.mutate({ username: 'nobody', role: 'viewer' }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
