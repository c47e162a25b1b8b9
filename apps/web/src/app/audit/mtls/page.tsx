'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { api } from '../../../api/client';
import { errorMessage } from '../../../api/errors';
import type { RouterOutputs } from '../../../api/types';
import { downloadText, fileStamp } from '../../../components/download';
import { QueryState } from '../../../components/query-state';
import { GRAPH_WINDOWS, type GraphWindow } from '../../../topology/graph-shape';

type MtlsAudit = RouterOutputs['audit']['mtls'];
type CsvTable = NonNullable<Parameters<typeof api.audit.mtlsCsv.query>[0]['table']>;
const CSV_TABLES = ['edges', 'workloads', 'namespaces', 'findings'] as const satisfies readonly CsvTable[];

function principals(list: readonly string[]): string {
  return list.length === 0 ? '—' : list.join(', ');
}

function AuditReport({ audit }: { audit: MtlsAudit }) {
  const { mesh } = audit;
  return (
    <>
      {audit.telemetryBackend === null ? (
        <p className="notice" role="note">
          No telemetry back end is connected to the control plane yet: policies and identities are shown, observed traffic is not.
        </p>
      ) : null}
      <section aria-label="Mesh mTLS status" className="cards">
        <div className="card">
          <div className="muted">Mesh status</div>
          <div className="stat">{mesh.status}</div>
          <div className="muted">
            mode {mesh.mode}
            {mesh.policy ? ` (${mesh.policy})` : ''}
          </div>
        </div>
        <div className="card">
          <div className="muted">Workloads</div>
          <div className="stat">{mesh.workloads}</div>
          <div className="muted">
            {mesh.strict} strict, {mesh.permissive} permissive, {mesh.outsideMesh} outside the mesh
          </div>
        </div>
        <div className="card">
          <div className="muted">Observed edges</div>
          <div className="stat">{mesh.edges}</div>
          <div className="muted">
            {mesh.mtlsEdges} mTLS, {mesh.plaintextEdges} plaintext
          </div>
        </div>
      </section>
      <h2>Findings</h2>
      {audit.findings.length === 0 ? (
        <p>No findings.</p>
      ) : (
        <ul aria-label="Findings">
          {audit.findings.map((f) => (
            <li
              key={`${f.code}:${f.namespace ?? ''}:${f.workload ?? ''}:${f.edge ?? ''}`}
              className={f.severity === 'error' ? 'error' : undefined}
            >
              <strong>{f.code}</strong>: {f.message}
            </li>
          ))}
        </ul>
      )}
      <h2>Edges</h2>
      {audit.edges.length === 0 ? (
        <p className="muted">No traffic observed in this window.</p>
      ) : (
        <table aria-label="Observed edges">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Security</th>
              <th scope="col">Source principals</th>
              <th scope="col">Destination principals</th>
            </tr>
          </thead>
          <tbody>
            {audit.edges.map((e) => (
              <tr key={e.id}>
                <td>{e.source.id}</td>
                <td>{e.destination.id}</td>
                <td>{e.policy}</td>
                <td>{principals(e.sourcePrincipals)}</td>
                <td>{principals(e.destinationPrincipals)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Namespaces</h2>
      <table aria-label="Namespaces">
        <thead>
          <tr>
            <th scope="col">Namespace</th>
            <th scope="col">Ambient</th>
            <th scope="col">Mode</th>
            <th scope="col">Workloads</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {audit.namespaces.map((n) => (
            <tr key={n.name}>
              <td>{n.name}</td>
              <td>{n.ambient ? 'yes' : 'no'}</td>
              <td>{n.mode}</td>
              <td>{n.workloads}</td>
              <td>{n.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Workloads</h2>
      <table aria-label="Workloads">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Identities</th>
            <th scope="col">In the mesh</th>
            <th scope="col">Mode</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {audit.workloads.map((w) => (
            <tr key={`${w.namespace}/${w.name}`}>
              <td>
                {w.namespace}/{w.name}
              </td>
              <td>{principals(w.identities)}</td>
              <td>{w.inMesh ? 'yes' : 'no'}</td>
              <td>{w.mode}</td>
              <td>{w.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function MtlsAuditView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const requested = params.get('window');
  const window: GraphWindow = GRAPH_WINDOWS.find((w) => w === requested) ?? '5m';
  const audit = useQuery({ queryKey: ['audit.mtls', window], queryFn: () => api.audit.mtls.query({ window }), refetchInterval: 15_000 });
  const exportCsv = useMutation({
    mutationFn: (table: CsvTable) => api.audit.mtlsCsv.query({ window, table }),
    onSuccess: ({ table, csv }) => downloadText(`ambit-mtls-audit-${table}-${fileStamp(Date.now())}.csv`, 'text/csv', csv),
  });
  return (
    <>
      <h1>mTLS audit</h1>
      <form className="toolbar" aria-label="Audit options" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window
          <select name="window" value={window} onChange={(e) => router.replace(`${pathname}?window=${e.target.value}`, { scroll: false })}>
            {GRAPH_WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
        {CSV_TABLES.map((table) => (
          <button key={table} type="button" className="button" disabled={exportCsv.isPending} onClick={() => exportCsv.mutate(table)}>
            Export {table} CSV
          </button>
        ))}
        <button
          type="button"
          className="button"
          disabled={!audit.data}
          onClick={() =>
            audit.data &&
            downloadText(
              `ambit-mtls-audit-${fileStamp(audit.data.timestamp)}.json`,
              'application/json',
              JSON.stringify(audit.data, null, 2),
            )
          }
        >
          Export JSON
        </button>
      </form>
      {exportCsv.isError ? (
        <p className="error" role="alert">
          Export failed: {errorMessage(exportCsv.error)}
        </p>
      ) : null}
      <QueryState query={audit} label="the mTLS audit">
        {(data) => <AuditReport audit={data} />}
      </QueryState>
    </>
  );
}

export default function MtlsAuditPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <MtlsAuditView />
    </Suspense>
  );
}
