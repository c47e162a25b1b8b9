import type { RouterOutputs } from '../api/types';

type Revision = RouterOutputs['resources']['history'][number];

/** An object's revisions as a table: who changed what, when, and which fields. */
export function RevisionTable({ revisions, label }: { revisions: readonly Revision[]; label: string }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Revision</th>
          <th scope="col">Operation</th>
          <th scope="col">Author</th>
          <th scope="col">Time</th>
          <th scope="col">Changed</th>
        </tr>
      </thead>
      <tbody>
        {revisions.map((r) => (
          <tr key={r.revision}>
            <td>{r.revision}</td>
            <td>{r.operation}</td>
            <td>{r.author}</td>
            <td>{new Date(r.time).toLocaleString()}</td>
            <td className="muted">{r.changedPaths.join(', ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
