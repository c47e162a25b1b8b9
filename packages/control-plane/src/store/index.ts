export { BUILT_IN_NAMESPACES, describeKey, keyOf, openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store';
export type * from './types';
export { DEFAULT_WRITER, STORE_WRITERS } from './writers';
