'use client';

import { useParams } from 'next/navigation';
import { ResourceDetail } from '../../../../resources/resource-detail';

export default function WorkloadPage() {
  const { ns, name } = useParams<{ ns: string; name: string }>();
  return (
    <ResourceDetail
      kind="Pod"
      namespace={decodeURIComponent(ns)}
      name={decodeURIComponent(name)}
      listPath="/workloads"
      listTitle="Workloads"
    />
  );
}
