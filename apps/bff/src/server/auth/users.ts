import { AmbitError } from '@ambit/shared';
import type { BffDatabase } from '../database';
import { generatePassword, hashPassword, UNMATCHABLE_HASH, verifyPassword } from './passwords';
import type { Role } from './roles';

/** A local user as the API shows it: never the password hash. */
export interface User {
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  created_at: string;
  updated_at: string;
  created_by: string;
}

export const INITIAL_ADMIN = 'admin';
const SYSTEM = 'system:ambit';

function toUser(row: UserRow): User {
  return { username: row.username, role: row.role, createdAt: row.created_at, updatedAt: row.updated_at, createdBy: row.created_by };
}

/** Local users in bff.db. Changes that would leave the BFF without an admin are refused. */
export class UserDirectory {
  private readonly statements;

  constructor(private readonly db: BffDatabase) {
    this.statements = {
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
      countAdmins: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'"),
      list: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username'),
      get: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
      insert: db.prepare('INSERT INTO users (username, role, password_hash, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?)'),
      setRole: db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE username = ?'),
      setPassword: db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?'),
      delete: db.prepare('DELETE FROM users WHERE username = ?'),
    };
  }

  list(): User[] {
    return this.statements.list.all().map(toUser);
  }

  get(username: string): User | undefined {
    const row = this.statements.get.get(username);
    return row ? toUser(row) : undefined;
  }

  async create(input: { username: string; role: Role; password: string; createdBy: string }): Promise<User> {
    const hash = await hashPassword(input.password);
    const now = new Date().toISOString();
    // Checked after hashing: the hash yields the event loop, and the insert below is what must not race.
    if (this.statements.get.get(input.username)) {
      throw new AmbitError('AlreadyExists', `user "${input.username}" already exists`, [
        { path: 'username', message: 'is taken; choose another username' },
      ]);
    }
    this.statements.insert.run(input.username, input.role, hash, now, now, input.createdBy);
    return this.require(input.username);
  }

  /** Creates `admin` with a random password when there are no users at all; the password is returned once, never stored in clear. */
  async ensureInitialAdmin(): Promise<{ username: string; password: string } | undefined> {
    if ((this.statements.count.get()?.n ?? 0) > 0) return undefined;
    const password = generatePassword();
    await this.create({ username: INITIAL_ADMIN, role: 'admin', password, createdBy: SYSTEM });
    return { username: INITIAL_ADMIN, password };
  }

  setRole(username: string, role: Role): { before: User; after: User } {
    return this.db.transaction(() => {
      const before = this.require(username);
      if (before.role === 'admin' && role !== 'admin') this.refuseIfLastAdmin(username, 'change the role of');
      this.statements.setRole.run(role, new Date().toISOString(), username);
      return { before, after: this.require(username) };
    })();
  }

  async setPassword(username: string, password: string): Promise<User> {
    this.require(username);
    const hash = await hashPassword(password);
    this.statements.setPassword.run(hash, new Date().toISOString(), username);
    return this.require(username);
  }

  /** Deletes the user; their sessions go with them (foreign key cascade). */
  delete(username: string): User {
    return this.db.transaction(() => {
      const user = this.require(username);
      if (user.role === 'admin') this.refuseIfLastAdmin(username, 'delete');
      this.statements.delete.run(username);
      return user;
    })();
  }

  /** The user if the password is theirs. Unknown users cost a hash too, so timing does not tell who exists. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const row = this.statements.get.get(username);
    const ok = await verifyPassword(password, row?.password_hash ?? UNMATCHABLE_HASH);
    return ok && row ? toUser(row) : undefined;
  }

  private require(username: string): User {
    const row = this.statements.get.get(username);
    if (!row) throw new AmbitError('NotFound', `user "${username}" not found`, [{ path: 'username', message: `no user "${username}"` }]);
    return toUser(row);
  }

  private refuseIfLastAdmin(username: string, verb: string): void {
    if ((this.statements.countAdmins.get()?.n ?? 0) <= 1) {
      throw new AmbitError('Conflict', `cannot ${verb} "${username}": it is the last admin`, [
        { path: 'username', message: `"${username}" is the only admin; make another user admin first` },
      ]);
    }
  }
}
