'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { api } from '../../../api/client';
import { QueryState } from '../../../components/query-state';
import { ManifestEditor } from '../../../editor/manifest-editor';
import { isFormKind, newPolicyObject } from '../../../editor/policy-form';
import { editableYaml, toYaml } from '../../../editor/yaml-text';
import { canMutate } from '../../../session/roles';
import { useSession } from '../../../session/use-session';
import { ImpactPreview } from '../impact-preview';
import { DRAFT_STORAGE_KEY } from '../policies-api';

/** Starting points for kinds the form does not cover. */
function template(kind: string, namespace: string): string {
  switch (kind) {
    case 'HTTPRoute':
      return toYaml({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind,
        metadata: { name: 'new-route', namespace },
        spec: {
          parentRefs: [{ group: '', kind: 'Service', name: 'my-service', port: 9080 }],
          rules: [{ backendRefs: [{ name: 'my-service', port: 9080 }] }],
        },
      });
    case 'Gateway':
      return toYaml({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind,
        metadata: { name: 'waypoint', namespace },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      });
    case 'Canary':
      return toYaml({
        apiVersion: 'flagger.app/v1beta1',
        kind,
        metadata: { name: 'my-app', namespace },
        spec: {
          targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-app' },
          service: { port: 9080 },
          analysis: { interval: '30s', threshold: 5, maxWeight: 50, stepWeight: 10 },
        },
      });
    default:
      return isFormKind(kind) ? toYaml(newPolicyObject(kind, namespace)) : '';
  }
}

function isPolicyDraft(yaml: string): boolean {
  return /^kind:\s*(AuthorizationPolicy|PeerAuthentication)\s*$/m.test(yaml);
}

function EditorPage() {
  const params = useSearchParams();
  const session = useSession();
  const operator = canMutate(session.data?.role);
  const kind = params.get('kind') ?? '';
  const namespace = params.get('namespace') ?? 'default';
  const name = params.get('name') ?? '';
  const created = params.get('new');
  // The generator hands its YAML over through sessionStorage (kept there, so a reload keeps the draft).
  const [handedOver] = useState(() =>
    params.get('draft') === 'generated' && typeof window !== 'undefined'
      ? (window.sessionStorage.getItem(DRAFT_STORAGE_KEY) ?? undefined)
      : undefined,
  );
  const stored = useQuery({
    queryKey: ['resources.get', { kind, namespace, name }],
    queryFn: () => api.resources.get.query({ kind, namespace, name }),
    enabled: Boolean(kind && name && !created && !handedOver),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

  const preview = (yaml: string) => (isPolicyDraft(yaml) ? <ImpactPreview yaml={yaml} /> : null);
  const back = (
    <p>
      <Link href="/policies">Policies</Link>
    </p>
  );

  if (handedOver !== undefined || created) {
    const title = created ? `New ${created}` : 'Generated policies';
    return (
      <>
        {back}
        <h1>{title}</h1>
        <ManifestEditor
          initialYaml={handedOver ?? template(created ?? '', params.get('namespace') ?? 'default')}
          title={title}
          canApply={operator}
          preview={preview}
        />
      </>
    );
  }
  if (!kind || !name) {
    return (
      <>
        {back}
        <p className="error">Open an object from the policies list, or start a new one.</p>
      </>
    );
  }
  const title = `${kind} ${namespace}/${name}`;
  return (
    <>
      {back}
      <h1>{title}</h1>
      <QueryState query={stored} label={title}>
        {(object) => (
          <ManifestEditor
            key={object.metadata.uid}
            initialYaml={editableYaml(object as unknown as Record<string, unknown>)}
            title={title}
            canApply={operator}
            preview={preview}
          />
        )}
      </QueryState>
    </>
  );
}

export default function PolicyEditorPage() {
  return (
    <Suspense fallback={<p className="muted">Loading the editor…</p>}>
      <EditorPage />
    </Suspense>
  );
}
