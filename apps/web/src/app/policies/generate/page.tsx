'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '../../../api/client';
import { errorMessage } from '../../../api/errors';
import { YamlEditor } from '../../../editor/yaml-editor';
import { DRAFT_STORAGE_KEY } from '../policies-api';
import '../../../editor/editor.css';

/** Least-privilege ALLOW policies from the flows the proxies saw: preview here, then edit and apply in the editor. */
export default function GeneratePage() {
  const router = useRouter();
  const namespaces = useQuery({
    queryKey: ['resources.list', 'Namespace'],
    queryFn: () => api.resources.list.query({ kind: 'Namespace' }),
  });
  const [namespace, setNamespace] = useState('demo');
  const generate = useMutation({ mutationFn: (ns: string) => api.policies.generate.query({ namespace: ns }) });
  const edit = () => {
    if (!generate.data) return;
    window.sessionStorage.setItem(DRAFT_STORAGE_KEY, generate.data.yaml);
    router.push('/policies/edit?draft=generated');
  };
  return (
    <>
      <p>
        <Link href="/policies">Policies</Link>
      </p>
      <h1>Generate least-privilege policies</h1>
      <div className="toolbar">
        <label>
          Namespace
          <select aria-label="Namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)}>
            {(namespaces.data?.items ?? [{ metadata: { name: namespace } }]).map((n) => (
              <option key={n.metadata.name} value={n.metadata.name}>
                {n.metadata.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button primary" disabled={generate.isPending} onClick={() => generate.mutate(namespace)}>
          Generate from observed traffic
        </button>
      </div>
      {generate.isPending ? (
        <p className="muted" role="status">
          Reading the proxies' recent flows…
        </p>
      ) : null}
      {generate.isError ? (
        <p className="error" role="alert">
          {errorMessage(generate.error)}
        </p>
      ) : null}
      {generate.data ? (
        <section aria-label="Generated policies">
          <p>
            {generate.data.policies.length} ALLOW {generate.data.policies.length === 1 ? 'policy' : 'policies'} for{' '}
            {generate.data.namespace} from {generate.data.flows} observed flows.
          </p>
          {generate.data.notes.length > 0 ? (
            <ul className="muted">
              {generate.data.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
          <YamlEditor value={generate.data.yaml} label="Generated policies (preview)" readOnly />
          <div className="toolbar">
            <button type="button" className="button primary" onClick={edit} disabled={!generate.data.yaml.trim()}>
              Edit and apply in the editor
            </button>
          </div>
        </section>
      ) : null}
    </>
  );
}
