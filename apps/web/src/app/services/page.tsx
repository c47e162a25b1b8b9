'use client';

import { ResourceList } from '../../resources/resource-list';

export default function ServicesPage() {
  return (
    <ResourceList
      kind="Service"
      basePath="/services"
      title="Services"
      describe={(o) => {
        const labels = o.metadata.labels ?? {};
        const waypoint = labels['istio.io/use-waypoint'];
        return waypoint ? `waypoint ${waypoint}` : 'no waypoint';
      }}
    />
  );
}
