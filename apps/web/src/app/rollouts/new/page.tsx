'use client';

import Link from 'next/link';
import '../../../editor/editor.css';
import { CanaryWizard } from '../../../rollouts/canary-wizard';
import { canMutate } from '../../../session/roles';
import { useSession } from '../../../session/use-session';

export default function NewCanaryPage() {
  const session = useSession();
  return (
    <>
      <p>
        <Link href="/rollouts">Rollouts</Link> / new
      </p>
      <h1>New canary</h1>
      {canMutate(session.data?.role) ? (
        <CanaryWizard />
      ) : (
        <p className="notice" role="note">
          Starting a canary needs the operator role.
        </p>
      )}
    </>
  );
}
