'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { QueryState } from '../components/query-state';
import { canMutate } from '../session/roles';
import { useSession } from '../session/use-session';
import { RevisionTable } from './revision-table';

interface ResourceDetailProps {
  kind: string;
  namespace: string;
  name: string;
  listPath: string;
  listTitle: string;
}

/** One object: its labels, spec and status, its history, and — for operators — delete. */
export function ResourceDetail({ kind, namespace, name, listPath, listTitle }: ResourceDetailProps) {
  const input = { kind, namespace, name };
  const object = useQuery({ queryKey: ['resources.get', input], queryFn: () => api.resources.get.query(input), refetchInterval: 10_000 });
  const history = useQuery({ queryKey: ['resources.history', input], queryFn: () => api.resources.history.query(input) });
  const session = useSession();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.resources.delete.mutate(input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['resources.list', kind] });
      router.push(listPath);
    },
  });

  return (
    <>
      <p>
        <Link href={listPath}>{listTitle}</Link> / {namespace}
      </p>
      <h1>
        {kind} {namespace}/{name}
      </h1>
      <QueryState query={object} label={`${kind} ${namespace}/${name}`}>
        {(data) => (
          <>
            <h2>Labels</h2>
            {Object.keys(data.metadata.labels ?? {}).length === 0 ? (
              <p className="muted">No labels.</p>
            ) : (
              <p>
                {Object.entries(data.metadata.labels ?? {}).map(([k, v]) => (
                  <span className="badge" key={k}>
                    {k}={v}
                  </span>
                ))}
              </p>
            )}
            <h2>Object</h2>
            <pre>{JSON.stringify(data, null, 2)}</pre>
          </>
        )}
      </QueryState>
      <h2>History</h2>
      <QueryState query={history} label="history">
        {(revisions) => <RevisionTable revisions={revisions} label="History" />}
      </QueryState>
      {canMutate(session.data?.role) ? (
        <section aria-label="Actions">
          <h2>Actions</h2>
          <button
            type="button"
            className="button danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete ${kind} ${namespace}/${name}? The change is recorded and can be reverted.`)) remove.mutate();
            }}
          >
            Delete {kind}
          </button>
          {remove.isError ? (
            <p className="error" role="alert">
              {errorMessage(remove.error)}
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
