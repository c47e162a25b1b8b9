'use client';

import { ResourceList } from '../../resources/resource-list';

export default function WorkloadsPage() {
  return (
    <ResourceList
      kind="Pod"
      basePath="/workloads"
      title="Workloads"
      describe={(o) => {
        const labels = o.metadata.labels ?? {};
        return [labels.app && `app ${labels.app}`, labels.version && `version ${labels.version}`].filter(Boolean).join(', ') || '—';
      }}
    />
  );
}
