'use client';

import { useParams } from 'next/navigation';
import { TrafficView } from '../../../../../rollouts/traffic-view';
import { canMutate } from '../../../../../session/roles';
import { useSession } from '../../../../../session/use-session';

export default function ServiceTrafficPage() {
  const { ns, name } = useParams<{ ns: string; name: string }>();
  const session = useSession();
  return <TrafficView namespace={decodeURIComponent(ns)} service={decodeURIComponent(name)} operator={canMutate(session.data?.role)} />;
}
