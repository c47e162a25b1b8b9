'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { VersionCharts } from '../../../../components/charts/version-charts';
import { ResourceDetail } from '../../../../resources/resource-detail';
import styles from './service.module.css';

export default function ServicePage() {
  const params = useParams<{ ns: string; name: string }>();
  const namespace = decodeURIComponent(params.ns);
  const name = decodeURIComponent(params.name);
  return (
    <div className={styles.page}>
      <ResourceDetail kind="Service" namespace={namespace} name={name} listPath="/services" listTitle="Services" />
      <div className={styles.charts}>
        <Link href={`/services/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/traffic`}>Traffic split of {name}</Link>
        <VersionCharts kind="service" namespace={namespace} name={name} />
      </div>
    </div>
  );
}
