'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { downloadText, fileStamp } from '../../components/download';
import { QueryState } from '../../components/query-state';
import { JsonTree } from './json-tree';
import styles from './proxies.module.css';

/** What the control plane last pushed to one proxy, per type URL, as collapsible JSON with copy and download. */
export function ConfigDumpViewer({ proxy, onClose }: { proxy: string; onClose: () => void }) {
  const dump = useQuery({ queryKey: ['proxies.configDump', proxy], queryFn: () => api.proxies.configDump.query({ proxy }) });
  const [copied, setCopied] = useState<string | undefined>();
  const text = dump.data ? `${JSON.stringify(dump.data, null, 2)}\n` : '';
  return (
    <section className={styles.viewer} aria-label={`Config dump of ${proxy}`} data-testid="config-dump">
      <h2>Config dump: {proxy}</h2>
      <p className="muted">What the control plane last pushed to this proxy over xDS, decoded. No key material is ever pushed.</p>
      <div className={styles.actions}>
        <button
          type="button"
          className="button"
          disabled={!dump.data}
          onClick={() =>
            navigator.clipboard.writeText(text).then(
              () => setCopied('Copied.'),
              (error: unknown) => setCopied(`Could not copy: ${errorMessage(error)}`),
            )
          }
        >
          Copy JSON
        </button>
        <button
          type="button"
          className="button"
          disabled={!dump.data}
          onClick={() =>
            downloadText(`ambit-config-dump-${proxy.replace(/[^\w.-]+/g, '_')}-${fileStamp(Date.now())}.json`, 'application/json', text)
          }
        >
          Download JSON
        </button>
        <button type="button" className="button" disabled={dump.isFetching} onClick={() => void dump.refetch()}>
          Refresh
        </button>
        <button type="button" className="button subtle" onClick={onClose}>
          Close
        </button>
        {copied ? (
          <span role="status" className="muted">
            {copied}
          </span>
        ) : null}
      </div>
      <QueryState query={dump} label="the config dump">
        {(data) =>
          data.types.length === 0 ? (
            <p className="muted">Nothing has been pushed to this proxy yet.</p>
          ) : (
            <div className={styles.tree}>
              {data.types.map((t) => (
                <details key={t.typeUrl} open data-testid="config-dump-type">
                  <summary>
                    <strong>{t.typeUrl}</strong>{' '}
                    <span className="muted">
                      {t.resources.length} resource{t.resources.length === 1 ? '' : 's'}, {t.state}, sent {t.versionSent ?? '—'}, acked{' '}
                      {t.versionAcked ?? '—'}
                    </span>
                  </summary>
                  <div className={styles.children}>
                    {t.resources.map((r) => (
                      <JsonTree
                        key={r.name}
                        name={`${r.name} (version ${r.version})`}
                        value={r.decodeError ? { decodeError: r.decodeError } : r.resource}
                        openDepth={0}
                      />
                    ))}
                  </div>
                </details>
              ))}
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
