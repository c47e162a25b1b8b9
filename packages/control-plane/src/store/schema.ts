import type Database from 'better-sqlite3';

/**
 * The store's tables. `changes` is the event log: every write appends one row whose rowid is the
 * global resourceVersion; spec/metadata changes carry a per-object revision number (history),
 * status changes do not and only the newest per object is kept.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE objects (
     kind TEXT NOT NULL,
     namespace TEXT NOT NULL,
     name TEXT NOT NULL,
     resource_version INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (kind, namespace, name)
   ) WITHOUT ROWID;
   CREATE TABLE changes (
     resource_version INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     namespace TEXT NOT NULL,
     name TEXT NOT NULL,
     event TEXT NOT NULL CHECK (event IN ('ADDED', 'MODIFIED', 'DELETED')),
     subresource TEXT NOT NULL DEFAULT '',
     revision INTEGER,
     operation TEXT,
     author TEXT,
     time TEXT NOT NULL,
     message TEXT,
     before TEXT,
     after TEXT
   );
   CREATE INDEX changes_by_object ON changes (kind, namespace, name, resource_version);`,
];

export function migrate(db: Database.Database): { created: boolean } {
  db.exec('CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare("SELECT value FROM store_meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const current = row ? Number(row.value) : 0;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the data directory was written by a newer Ambit (store schema ${current}, this one knows ${MIGRATIONS.length}); upgrade Ambit`,
    );
  }
  const apply = db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('schema_version', ?)").run(String(MIGRATIONS.length));
  });
  apply.immediate();
  return { created: current === 0 };
}
