'use client';

import { useParams } from 'next/navigation';
import { ResourceDetail } from '../../../../resources/resource-detail';

export default function ServicePage() {
  const { ns, name } = useParams<{ ns: string; name: string }>();
  return (
    <ResourceDetail
      kind="Service"
      namespace={decodeURIComponent(ns)}
      name={decodeURIComponent(name)}
      listPath="/services"
      listTitle="Services"
    />
  );
}
