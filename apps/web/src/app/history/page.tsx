'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { RouterInputs, RouterOutputs } from '../../api/types';
import { QueryState } from '../../components/query-state';
import { DiffView } from '../../editor/diff-view';
import { revisionYaml } from '../../editor/yaml-text';
import { canMutate } from '../../session/roles';
import { useSession } from '../../session/use-session';
import '../../editor/editor.css';

type Change = RouterOutputs['history']['list']['changes'][number];
type Filters = { kind: string; namespace: string; name: string; author: string; operation: string };

const KINDS = [
  '',
  'AuthorizationPolicy',
  'PeerAuthentication',
  'HTTPRoute',
  'GRPCRoute',
  'Gateway',
  'ReferenceGrant',
  'Canary',
  'Service',
  'Deployment',
  'Pod',
  'Namespace',
];
const OPERATIONS = ['', 'create', 'update', 'delete', 'revert'];

function changeId(change: Change): string {
  return String(change.resourceVersion);
}

function target(change: Change): string {
  const { kind, namespace, name } = change.key;
  return `${kind}/${namespace ? `${namespace}/` : ''}${name}`;
}

/** What changed, in a few words: the field paths of an update, or the object as a whole. */
function changedFields(change: Change): string {
  if (!change.before) return 'new object';
  if (!change.after) return 'deleted';
  const paths = change.changedPaths;
  return paths.length === 0 ? 'metadata only' : paths.slice(0, 4).join(', ') + (paths.length > 4 ? ` and ${paths.length - 4} more` : '');
}

function input(filters: Filters): RouterInputs['history']['list'] {
  return {
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.namespace ? { namespace: filters.namespace } : {}),
    ...(filters.name ? { name: filters.name } : {}),
    ...(filters.author ? { author: filters.author } : {}),
    ...(filters.operation ? { operation: filters.operation as 'create' } : {}),
    limit: 200,
  };
}

/** Undoing a change: back to the state before it (a new revision), or — for a creation — deleting the object. */
async function revertChange(change: Change) {
  const key = { kind: change.key.kind, ...(change.key.namespace ? { namespace: change.key.namespace } : {}), name: change.key.name };
  if (!change.before) return api.resources.delete.mutate(key);
  return api.resources.revert.mutate({ ...key, toRevision: change.revision - 1 });
}

export default function HistoryPage() {
  const session = useSession();
  const operator = canMutate(session.data?.role);
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<Filters>({ kind: '', namespace: '', name: '', author: '', operation: '' });
  const [selected, setSelected] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<Change | undefined>();
  const history = useQuery({
    queryKey: ['history.list', filters],
    queryFn: () => api.history.list.query(input(filters)),
    refetchInterval: 10_000,
  });
  const revert = useMutation({
    mutationFn: revertChange,
    onSuccess: () => {
      setConfirming(undefined);
      void queryClient.invalidateQueries();
    },
  });
  const set = (patch: Partial<Filters>) => setFilters({ ...filters, ...patch });

  return (
    <>
      <h1>Config history</h1>
      <form className="toolbar" aria-label="Filter changes" onSubmit={(e) => e.preventDefault()}>
        <label>
          Kind
          <select value={filters.kind} onChange={(e) => set({ kind: e.target.value })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Namespace
          <input value={filters.namespace} onChange={(e) => set({ namespace: e.target.value.trim() })} placeholder="any" />
        </label>
        <label>
          Name contains
          <input value={filters.name} onChange={(e) => set({ name: e.target.value })} placeholder="any" />
        </label>
        <label>
          Who
          <select value={filters.author} onChange={(e) => set({ author: e.target.value })}>
            <option value="">anyone</option>
            {(history.data?.authors ?? [])
              .concat(filters.author && !history.data?.authors.includes(filters.author) ? [filters.author] : [])
              .map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
          </select>
        </label>
        <label>
          Change
          <select value={filters.operation} onChange={(e) => set({ operation: e.target.value })}>
            {OPERATIONS.map((o) => (
              <option key={o} value={o}>
                {o || 'any'}
              </option>
            ))}
          </select>
        </label>
      </form>
      {confirming ? (
        <div className="card" role="alertdialog" aria-modal="false" aria-label="Confirm revert">
          <p>
            {confirming.before
              ? `Revert ${target(confirming)} to how it was before change #${confirming.revision}?`
              : `Change #${confirming.revision} created ${target(confirming)}; reverting it deletes the object.`}{' '}
            The revert is recorded as a new change.
          </p>
          <div className="toolbar">
            <button type="button" className="button danger" onClick={() => revert.mutate(confirming)} disabled={revert.isPending}>
              Confirm revert
            </button>
            <button type="button" className="button" onClick={() => setConfirming(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {revert.isError ? (
        <p className="error" role="alert">
          The revert changed nothing: {errorMessage(revert.error)}
        </p>
      ) : null}
      {revert.isSuccess ? (
        <p className="applied" role="status">
          Reverted; the revert is recorded as a new change at the top.
        </p>
      ) : null}
      <QueryState query={history} label="history">
        {({ changes, total, keepsHistory }) =>
          !keepsHistory ? (
            <p className="notice">This store (Kubernetes) keeps no revisions: history and revert need the embedded store.</p>
          ) : changes.length === 0 ? (
            <p>No changes match.</p>
          ) : (
            <>
              <p className="muted">
                {total > changes.length ? `Newest ${changes.length} of ${total} changes.` : `${total} changes.`} Select one to see its diff.
              </p>
              <table aria-label="Changes">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Change</th>
                    <th scope="col">Object</th>
                    <th scope="col">Fields</th>
                    <th scope="col">
                      <span className="muted">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((change) => {
                    const id = changeId(change);
                    const open = selected === id;
                    return (
                      <Fragment key={id}>
                        <tr data-testid="history-row" aria-selected={open}>
                          <td>
                            <time dateTime={change.time}>{new Date(change.time).toLocaleString()}</time>
                          </td>
                          <td>{change.author || 'unknown'}</td>
                          <td>
                            {change.operation} <span className="muted">#{change.revision}</span>
                            {change.message ? <div className="muted">{change.message}</div> : null}
                          </td>
                          <td>{target(change)}</td>
                          <td className="muted">{changedFields(change)}</td>
                          <td>
                            <div className="inline">
                              <button
                                type="button"
                                className="button subtle"
                                onClick={() => setSelected(open ? undefined : id)}
                                aria-expanded={open}
                              >
                                {open ? 'Hide diff' : 'Diff'}
                              </button>
                              {operator ? (
                                <button type="button" className="button danger" onClick={() => setConfirming(change)}>
                                  Revert
                                </button>
                              ) : null}
                            </div>
                          </td>
                        </tr>
                        {open ? (
                          <tr>
                            <td colSpan={6}>
                              <section aria-label="Diff of the change">
                                <DiffView
                                  before={revisionYaml(change.before as Record<string, unknown> | undefined)}
                                  after={revisionYaml(change.after as Record<string, unknown> | undefined)}
                                  beforeLabel={`Before #${change.revision}`}
                                  afterLabel={`After #${change.revision}`}
                                />
                              </section>
                            </td>
                          </tr>
                        ) : null}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </>
          )
        }
      </QueryState>
    </>
  );
}
