import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The BFF's own SQLite database, `<dataDir>/bff/bff.db`, beside the control plane's store: local
 * users (scrypt hashes), sessions and API tokens (SHA-256 of the secret, never the secret), and
 * the audit log. Kept apart from `store.db` so the store stays only mesh configuration.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     username TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     created_by TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
     csrf_token TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX sessions_by_user ON sessions (username);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
     token_hash TEXT NOT NULL UNIQUE,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     last_used_at TEXT,
     revoked_at TEXT
   ) WITHOUT ROWID;
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     request_id TEXT NOT NULL,
     time TEXT NOT NULL,
     actor TEXT NOT NULL,
     client_ip TEXT NOT NULL,
     procedure TEXT NOT NULL,
     target_kind TEXT,
     target_namespace TEXT,
     target_name TEXT,
     before TEXT,
     after TEXT,
     detail TEXT,
     outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
     error_code TEXT,
     error_message TEXT
   );
   CREATE INDEX audit_by_target ON audit (target_kind, target_namespace, target_name, id);
   CREATE INDEX audit_by_actor ON audit (actor, id);`,
];

export type BffDatabase = Database.Database;

export function openBffDatabase(dataDir: string): BffDatabase {
  const dir = join(dataDir, 'bff');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dir, 'bff.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: BffDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS bff_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare<[], { value: string }>("SELECT value FROM bff_meta WHERE key = 'schema_version'").get();
  const current = row ? Number(row.value) : 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`bff.db was written by a newer Ambit (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade Ambit`);
  }
  const apply = db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    db.prepare("INSERT OR REPLACE INTO bff_meta (key, value) VALUES ('schema_version', ?)").run(String(MIGRATIONS.length));
  });
  apply.immediate();
}
