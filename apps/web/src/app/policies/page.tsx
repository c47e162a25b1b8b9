'use client';

import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../../api/client';
import { QueryState } from '../../components/query-state';
import { canMutate } from '../../session/roles';
import { useSession } from '../../session/use-session';
import '../../editor/editor.css';
import { editPath } from './edit-path';

/** Kinds the same editor serves besides policies. */
const OTHER_KINDS = ['HTTPRoute', 'Gateway', 'Canary'] as const;

export default function PoliciesPage() {
  const session = useSession();
  const operator = canMutate(session.data?.role);
  const list = useQuery({ queryKey: ['policies.list'], queryFn: () => api.policies.list.query(undefined), refetchInterval: 10_000 });
  const others = useQueries({
    queries: OTHER_KINDS.map((kind) => ({ queryKey: ['resources.list', kind], queryFn: () => api.resources.list.query({ kind }) })),
  });

  return (
    <>
      <h1>Policies</h1>
      <div className="toolbar">
        {operator ? (
          <>
            <Link className="button primary" href="/policies/edit?new=AuthorizationPolicy">
              New AuthorizationPolicy
            </Link>
            <Link className="button" href="/policies/edit?new=PeerAuthentication">
              Require mTLS (PeerAuthentication)
            </Link>
          </>
        ) : null}
        <Link className="button" href="/policies/simulate">
          Simulate a request
        </Link>
        <Link className="button" href="/policies/generate">
          Generate least-privilege policies
        </Link>
      </div>
      <QueryState query={list} label="policies">
        {({ policies }) =>
          policies.length === 0 ? (
            <p>
              No AuthorizationPolicy or PeerAuthentication yet: without one, ztunnel allows all traffic (mTLS is still used between ambient
              workloads).
            </p>
          ) : (
            <table aria-label="Policies">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Namespace</th>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Enforced by</th>
                  <th scope="col">Action</th>
                  <th scope="col">Applies to</th>
                  <th scope="col">Analysis</th>
                </tr>
              </thead>
              <tbody>
                {policies.map((p) => (
                  <tr key={`${p.kind}/${p.namespace}/${p.name}`} data-testid="policy-row">
                    <td>{p.kind}</td>
                    <td>{p.namespace}</td>
                    <td>
                      <Link href={editPath(p.kind, p.namespace, p.name)}>{p.name}</Link>
                    </td>
                    <td>{p.scope}</td>
                    <td>{p.enforcement === 'both' ? 'ztunnel and waypoint' : p.enforcement}</td>
                    <td>
                      {p.action}
                      {p.dryRun ? <span className="badge">dry run</span> : null}
                    </td>
                    <td className="muted">
                      {[...p.appliesTo.workloads, ...p.appliesTo.services, ...p.appliesTo.waypoints].join(', ') || 'nothing'}
                    </td>
                    <td>
                      {p.messages.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul className="problems">
                          {p.messages.map((m) => (
                            <li key={`${m.code}:${m.path}:${m.message}`} className={`problem-${m.level}`}>
                              <code>{m.code}</code> {m.path ? <code>{m.path}</code> : null} {m.message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>

      <h2>Routes, gateways and canaries</h2>
      <p className="muted">The same editor edits these as YAML.</p>
      <ul>
        {OTHER_KINDS.map((kind, i) => {
          const items = others[i]?.data?.items ?? [];
          return (
            <li key={kind}>
              {kind}:{' '}
              {items.length === 0
                ? 'none'
                : items.map((o) => {
                    const ns = String(o.metadata.namespace ?? 'default');
                    return (
                      <span key={`${ns}/${o.metadata.name}`}>
                        <Link href={editPath(kind, ns, o.metadata.name)}>
                          {ns}/{o.metadata.name}
                        </Link>{' '}
                      </span>
                    );
                  })}
              {operator ? (
                <>
                  {' '}
                  <Link href={`/policies/edit?new=${kind}`}>new {kind}</Link>
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
