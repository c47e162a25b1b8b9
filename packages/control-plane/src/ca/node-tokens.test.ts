import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeTokenStore } from './node-tokens';
import { makeTempDir } from './test-fixtures';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir?.remove();
});

const tokensFile = () => join(dir.path, 'ca', 'node-tokens.json');

describe('NodeTokenStore', () => {
  it('issues a random base64url token and knows which node holds it', async () => {
    const store = await NodeTokenStore.open(dir.path);
    const a = await store.issueNodeToken('node-a');
    const b = await store.issueNodeToken('node-b');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(store.authenticate(a)).toBe('node-a');
    expect(store.authenticate(b)).toBe('node-b');
  });

  it('keeps only hashes, in a file the owner alone may read, and remembers them after a restart', async () => {
    const token = await (await NodeTokenStore.open(dir.path)).issueNodeToken('node-a');
    const text = await readFile(tokensFile(), 'utf8');
    expect(text).not.toContain(token);
    const file = JSON.parse(text) as { version: number; tokens: Record<string, string> };
    expect(file.version).toBe(1);
    expect(Object.entries(file.tokens)).toEqual([[expect.stringMatching(/^[0-9a-f]{64}$/), 'node-a']]);
    expect((await stat(tokensFile())).mode & 0o777).toBe(0o600);

    const reopened = await NodeTokenStore.open(dir.path);
    expect(reopened.authenticate(token)).toBe('node-a');
  });

  it('writes the token for the node proxy to a file only its owner may read', async () => {
    const store = await NodeTokenStore.open(dir.path);
    const path = join(dir.path, 'nodes', 'node-a', 'token');
    const token = await store.issueNodeToken('node-a', { writeTo: path });
    expect((await readFile(path, 'utf8')).trim()).toBe(token);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses missing, unknown and replaced tokens', async () => {
    const store = await NodeTokenStore.open(dir.path);
    const old = await store.issueNodeToken('node-a');
    const current = await store.issueNodeToken('node-a');
    expect(() => store.authenticate(undefined)).toThrow(
      expect.objectContaining({ code: 'Unauthenticated', message: expect.stringMatching(/missing node token/) }),
    );
    expect(() => store.authenticate('')).toThrow(expect.objectContaining({ code: 'Unauthenticated' }));
    expect(() => store.authenticate('not-a-token')).toThrow(
      expect.objectContaining({ code: 'Unauthenticated', message: expect.stringMatching(/not known/) }),
    );
    expect(() => store.authenticate(old)).toThrow(expect.objectContaining({ code: 'Unauthenticated' }));
    expect(store.authenticate(current)).toBe('node-a');
  });

  it('refuses node names that are not DNS names', async () => {
    const store = await NodeTokenStore.open(dir.path);
    await expect(store.issueNodeToken('Node A')).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('names the token file when it cannot be read', async () => {
    await (await NodeTokenStore.open(dir.path)).issueNodeToken('node-a');
    await writeFile(tokensFile(), '{ not json');
    await expect(NodeTokenStore.open(dir.path)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/node-tokens\.json is not valid JSON; fix it, or delete it/),
    });
  });
});
