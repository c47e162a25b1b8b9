/**
 * Node tokens: the bearer credential each node proxy presents to the CA. The control plane hands
 * out random tokens and keeps only their SHA-256 hashes, in `<dataDir>/ca/node-tokens.json`, so a
 * copy of the data directory does not let anyone act as a node. Tokens are never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AmbitError } from '@ambit/shared/errors';
import { caDirOf, writeFileAtomically } from './private-files';

export const NODE_TOKENS_FILE = 'node-tokens.json';
const NODE_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

interface NodeTokensFile {
  version: 1;
  /** sha256(token) as hex → node name. */
  tokens: Record<string, string>;
}

export class NodeTokenStore {
  /** Hash → node; scanned in full on every check so the time taken does not depend on the token. */
  private readonly byHash: Map<string, string>;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    tokens: Record<string, string>,
  ) {
    this.byHash = new Map(Object.entries(tokens));
  }

  /** Opens the token hashes kept in `<dataDir>/ca`, or an empty set when there are none yet. */
  static async open(dataDir: string): Promise<NodeTokenStore> {
    const file = join(caDirOf(dataDir), NODE_TOKENS_FILE);
    return new NodeTokenStore(file, await readTokensFile(file));
  }

  /**
   * Makes a new token for `node`, replacing any it had, and keeps its hash. Returns the token;
   * with `writeTo`, also writes it to that file (mode 0600) for the node proxy to read.
   */
  async issueNodeToken(node: string, options: { writeTo?: string } = {}): Promise<string> {
    if (!NODE_NAME.test(node)) {
      throw new AmbitError('InvalidArgument', `node name "${node}" is not a DNS-1123 subdomain (lowercase a-z, 0-9, "-", ".")`, [
        { path: 'node', message: 'must be a DNS-1123 subdomain' },
      ]);
    }
    const token = randomBytes(32).toString('base64url');
    for (const [hash, owner] of this.byHash) if (owner === node) this.byHash.delete(hash);
    this.byHash.set(hashToken(token), node);
    await this.persist();
    if (options.writeTo) await writeFileAtomically(options.writeTo, `${token}\n`, 0o600);
    return token;
  }

  /** The node that holds `token`; throws Unauthenticated when there is none. */
  authenticate(token: string | undefined): string {
    if (!token) {
      throw new AmbitError('Unauthenticated', 'missing node token: send "authorization: Bearer <node token>"');
    }
    const presented = Buffer.from(hashToken(token), 'hex');
    let node: string | undefined;
    for (const [hash, owner] of this.byHash) {
      if (timingSafeEqual(presented, Buffer.from(hash, 'hex'))) node = owner;
    }
    if (node === undefined) {
      throw new AmbitError(
        'Unauthenticated',
        'the node token is not known to this control plane (it may have been replaced by a newer token for that node)',
      );
    }
    return node;
  }

  private persist(): Promise<void> {
    // One write at a time, each with the state as it is when its turn comes.
    this.writes = this.writes
      .catch(() => undefined)
      .then(() => {
        const contents: NodeTokensFile = { version: 1, tokens: Object.fromEntries(this.byHash) };
        return writeFileAtomically(this.file, `${JSON.stringify(contents, null, 2)}\n`, 0o600);
      });
    return this.writes;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

async function readTokensFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const unusable = (why: string) =>
    new AmbitError('InvalidArgument', `${file} ${why}; fix it, or delete it and issue every node a new token`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unusable('is not valid JSON');
  }
  const tokens = (parsed as Partial<NodeTokensFile> | null)?.tokens;
  if ((parsed as NodeTokensFile | null)?.version !== 1 || typeof tokens !== 'object' || tokens === null) {
    throw unusable('is not a version 1 node token file ({"version": 1, "tokens": {...}})');
  }
  for (const [hash, node] of Object.entries(tokens)) {
    if (!/^[0-9a-f]{64}$/.test(hash) || typeof node !== 'string') {
      throw unusable('holds an entry that is not "<sha256 hex>": "<node name>"');
    }
  }
  return tokens;
}
