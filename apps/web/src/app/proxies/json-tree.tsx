'use client';

import styles from './proxies.module.css';

/** A JSON value as nested disclosure widgets: objects and arrays fold, the first `openDepth` levels start open. */
export function JsonTree({ value, name, openDepth = 1, depth = 0 }: { value: unknown; name?: string; openDepth?: number; depth?: number }) {
  const label = name === undefined ? null : <span className={styles.key}>{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className={styles.leaf}>
        {label}
        <span className={typeof value === 'string' ? styles.string : styles.scalar}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className={styles.leaf}>
        {label}
        {brackets.join('')}
      </div>
    );
  }
  return (
    <details className={styles.node} open={depth < openDepth}>
      <summary>
        {label}
        <span className="muted">
          {brackets[0]} {entries.length}{' '}
          {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'field' : 'fields'} {brackets[1]}
        </span>
      </summary>
      <div className={styles.children}>
        {entries.map(([key, child]) => (
          <JsonTree key={key} name={key} value={child} openDepth={openDepth} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}
