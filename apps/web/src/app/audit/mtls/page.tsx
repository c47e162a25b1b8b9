'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { api } from '../../../api/client';
import { errorMessage } from '../../../api/errors';
import type { RouterOutputs } from '../../../api/types';
import { downloadText } from '../../../components/download';
import { QueryState } from '../../../components/query-state';
import { GRAPH_WINDOWS, type GraphWindow } from '../../../topology/graph-shape';
import { RotationBadge, timeToExpiry } from './certificate-status';

type MtlsAudit = RouterOutputs['audit']['mtlsReport'];
type Finding = MtlsAudit['findings'][number];
type CsvTable = NonNullable<Parameters<typeof api.audit.mtlsExport.query>[0]['table']>;
/** Each table is its own CSV download; `certificates` is the certificate inventory. The JSON export holds them all. */
const CSV_TABLES = ['edges', 'workloads', 'namespaces', 'findings', 'certificates'] as const satisfies readonly CsvTable[];

const workloadPath = (ns: string, pod: string) => `/workloads/${encodeURIComponent(ns)}/${encodeURIComponent(pod)}`;

/** Where a finding points: the edge's destination on the topology, else the workload's page, else its namespace's row. */
function findingLink(f: Finding, audit: MtlsAudit, window: GraphWindow): { href: string; text: string } | undefined {
  if (f.edge) {
    const destination = f.edge.split('->')[1] ?? '';
    return { href: `/topology?window=${window}&node=${encodeURIComponent(destination)}`, text: 'show on topology' };
  }
  if (f.namespace && f.workload) {
    const pod = audit.certificates.find((c) => c.namespace === f.namespace && c.workload === f.workload)?.pods[0];
    if (pod) return { href: workloadPath(f.namespace, pod), text: `open ${f.namespace}/${pod}` };
    return { href: `#workload-${f.namespace}-${f.workload}`, text: 'show workload' };
  }
  if (f.namespace) return { href: `#namespace-${f.namespace}`, text: 'show namespace' };
  return undefined;
}

function Certificates({ audit }: { audit: MtlsAudit }) {
  if (audit.certificates.length === 0) return <p className="muted">No workloads to list.</p>;
  return (
    <table aria-label="Certificate inventory">
      <thead>
        <tr>
          <th scope="col">Workload</th>
          <th scope="col">Node</th>
          <th scope="col">Identity</th>
          <th scope="col">Serial</th>
          <th scope="col">Issuer</th>
          <th scope="col">Not after</th>
          <th scope="col">Expires</th>
          <th scope="col">Rotation</th>
        </tr>
      </thead>
      <tbody>
        {audit.certificates.map((c) => (
          <tr key={`${c.namespace}/${c.workload}/${c.node ?? ''}/${c.identity}`} data-workload={c.workload}>
            <td>
              {c.pods[0] ? (
                <Link href={workloadPath(c.namespace, c.pods[0])}>
                  {c.namespace}/{c.workload}
                </Link>
              ) : (
                `${c.namespace}/${c.workload}`
              )}
            </td>
            <td>{c.node ?? '—'}</td>
            <td>{c.identity}</td>
            <td>
              <code>{c.serial ?? '—'}</code>
            </td>
            <td>{c.issuer ?? '—'}</td>
            <td data-not-after={c.notAfter ?? ''}>{c.notAfter ? new Date(c.notAfter).toLocaleString() : '—'}</td>
            <td>{timeToExpiry(c.expiresInSeconds)}</td>
            <td>
              <RotationBadge rotation={c.rotation} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function principals(list: readonly string[]): string {
  return list.length === 0 ? '—' : list.join(', ');
}

function AuditReport({ audit, window }: { audit: MtlsAudit; window: GraphWindow }) {
  const { mesh } = audit;
  const rotations = audit.certificates.filter((c) => c.inMesh);
  const healthy = rotations.filter((c) => c.rotation === 'healthy' || c.rotation === 'due').length;
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
        <div className="card">
          <div className="muted">Certificates</div>
          <div className="stat">
            {healthy}/{rotations.length}
          </div>
          <div className="muted">mesh workloads with a valid, rotating certificate</div>
        </div>
      </section>
      <h2>Findings</h2>
      {audit.findings.length === 0 ? (
        <p>No findings.</p>
      ) : (
        <ul aria-label="Findings">
          {audit.findings.map((f) => {
            const link = findingLink(f, audit, window);
            return (
              <li
                key={`${f.code}:${f.namespace ?? ''}:${f.workload ?? ''}:${f.edge ?? ''}`}
                className={f.severity === 'error' ? 'error' : undefined}
              >
                <strong>{f.code}</strong>: {f.message}
                {link ? (
                  <>
                    {' '}
                    — <Link href={link.href}>{link.text}</Link>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <h2>Certificates</h2>
      <p className="muted">
        From the CA's issuance ledger: the newest certificate each workload's identity holds on its node. Proxies renew at half the
        lifetime.
      </p>
      <Certificates audit={audit} />
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
            <tr key={n.name} id={`namespace-${n.name}`}>
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
            <tr key={`${w.namespace}/${w.name}`} id={`workload-${w.namespace}-${w.name}`}>
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
  const audit = useQuery({
    queryKey: ['audit.mtlsReport', window],
    queryFn: () => api.audit.mtlsReport.query({ window }),
    refetchInterval: 15_000,
  });
  const exportReport = useMutation({
    mutationFn: (table: CsvTable | 'json') =>
      api.audit.mtlsExport.query(table === 'json' ? { window, format: 'json' } : { window, format: 'csv', table }),
    onSuccess: ({ filename, contentType, text }) => downloadText(filename, contentType, text),
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
          <button key={table} type="button" className="button" disabled={exportReport.isPending} onClick={() => exportReport.mutate(table)}>
            Export {table} CSV
          </button>
        ))}
        <button type="button" className="button" disabled={exportReport.isPending} onClick={() => exportReport.mutate('json')}>
          Export JSON
        </button>
      </form>
      {exportReport.isError ? (
        <p className="error" role="alert">
          Export failed: {errorMessage(exportReport.error)}
        </p>
      ) : null}
      <QueryState query={audit} label="the mTLS audit">
        {(data) => <AuditReport audit={data} window={window} />}
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
