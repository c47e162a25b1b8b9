'use client';

import { useParams } from 'next/navigation';
import { ResourceDetail } from '../../../../resources/resource-detail';
import styles from './workload.module.css';
import { WorkloadMesh } from './workload-mesh';

export default function WorkloadPage() {
  const params = useParams<{ ns: string; name: string }>();
  const namespace = decodeURIComponent(params.ns);
  const name = decodeURIComponent(params.name);
  return (
    <div className={styles.page}>
      <ResourceDetail kind="Pod" namespace={namespace} name={name} listPath="/workloads" listTitle="Workloads" />
      <WorkloadMesh namespace={namespace} name={name} />
    </div>
  );
}
