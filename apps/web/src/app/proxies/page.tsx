'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { QueryState } from '../../components/query-state';
import { ConfigDumpViewer } from './config-dump';

export default function ProxiesPage() {
  const proxies = useQuery({ queryKey: ['proxies.list'], queryFn: () => api.proxies.list.query(), refetchInterval: 5_000 });
  const [dumped, setDumped] = useState<string | undefined>();
  return (
    <>
      <h1>Proxies</h1>
      <p className="muted">proxy-status: what each connected proxy was sent and acknowledged, per resource type.</p>
      <QueryState query={proxies} label="proxy status">
        {(list) =>
          list.length === 0 ? (
            <p>No proxies are connected to the control plane.</p>
          ) : (
            <table aria-label="Proxy status">
              <thead>
                <tr>
                  <th scope="col">Proxy</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Node</th>
                  <th scope="col">Transport</th>
                  <th scope="col">Connected</th>
                  <th scope="col">Resource types</th>
                  <th scope="col">
                    <span className="muted">Config</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((proxy) => (
                  <tr key={proxy.id}>
                    <td>{proxy.id}</td>
                    <td>{proxy.kind}</td>
                    <td>{proxy.node ?? '—'}</td>
                    <td>{proxy.transport}</td>
                    <td>{new Date(proxy.connectedAt).toLocaleString()}</td>
                    <td>
                      {proxy.types.map((t) => (
                        <span
                          key={t.type}
                          className={`badge state-${t.state.replace(' ', '-')}`}
                          title={
                            t.lastNack
                              ? `NACK of ${t.lastNack.version}: ${t.lastNack.message}`
                              : `sent ${t.versionSent ?? '—'}, acked ${t.versionAcked ?? '—'}`
                          }
                        >
                          {t.type.split('.').pop()}: {t.state}
                        </span>
                      ))}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button"
                        aria-expanded={dumped === proxy.id}
                        aria-label={`Config dump of ${proxy.id}`}
                        onClick={() => setDumped(dumped === proxy.id ? undefined : proxy.id)}
                      >
                        Config dump
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      {dumped ? <ConfigDumpViewer key={dumped} proxy={dumped} onClose={() => setDumped(undefined)} /> : null}
    </>
  );
}
