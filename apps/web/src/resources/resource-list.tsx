'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../api/client';
import { QueryState } from '../components/query-state';

interface ResourceListProps {
  /** A kind as resources.list takes it: 'Service', 'Pod'. */
  kind: string;
  /** Where a row links to: /services or /workloads. */
  basePath: string;
  title: string;
  describe: (object: ListedObject) => string;
}

export type ListedObject = {
  metadata: { name: string; namespace?: string | undefined; labels?: Record<string, string> | undefined };
  spec?: unknown;
};

/** A table of one kind's objects in every namespace, each linking to its page. */
export function ResourceList({ kind, basePath, title, describe }: ResourceListProps) {
  const list = useQuery({ queryKey: ['resources.list', kind], queryFn: () => api.resources.list.query({ kind }), refetchInterval: 10_000 });
  return (
    <>
      <h1>{title}</h1>
      <QueryState query={list} label={title.toLowerCase()}>
        {({ items }) =>
          items.length === 0 ? (
            <p>None yet. Apply manifests with `ambit apply -f`, or start the demo with `ambit up`.</p>
          ) : (
            <table aria-label={title}>
              <thead>
                <tr>
                  <th scope="col">Namespace</th>
                  <th scope="col">Name</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {(items as ListedObject[]).map((object) => {
                  const ns = object.metadata.namespace ?? 'default';
                  return (
                    <tr key={`${ns}/${object.metadata.name}`}>
                      <td>{ns}</td>
                      <td>
                        <Link href={`${basePath}/${encodeURIComponent(ns)}/${encodeURIComponent(object.metadata.name)}`}>
                          {object.metadata.name}
                        </Link>
                      </td>
                      <td className="muted">{describe(object)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </>
  );
}
