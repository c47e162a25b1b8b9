'use client';

/** How the console shows a certificate's rotation and time to expiry: the audit page and the workload page alike. */

export type Rotation = 'healthy' | 'due' | 'overdue' | 'expired' | 'never-issued';

const ROTATION_TEXT: Record<Rotation, string> = {
  healthy: 'healthy',
  due: 'renewal due',
  overdue: 'renewal overdue',
  expired: 'expired',
  'never-issued': 'never issued',
};

const ROTATION_COLOUR: Record<Rotation, string> = {
  healthy: 'var(--ok)',
  due: 'var(--muted)',
  overdue: 'var(--warn)',
  expired: 'var(--bad)',
  'never-issued': 'var(--warn)',
};

const ROTATION_HELP: Record<Rotation, string> = {
  healthy: 'before half of its lifetime: the proxy renews it at half-life',
  due: 'past half of its lifetime: the proxy should be renewing it now',
  overdue: 'past three quarters of its lifetime: renewal has been failing',
  expired: 'past not-after: mutual TLS with this identity fails',
  'never-issued': 'the CA has no record of issuing a certificate for this identity on this node',
};

export function RotationBadge({ rotation }: { rotation: Rotation }) {
  return (
    <span className="badge" style={{ color: ROTATION_COLOUR[rotation] }} title={ROTATION_HELP[rotation]} data-rotation={rotation}>
      {ROTATION_TEXT[rotation]}
    </span>
  );
}

/** "in 23 h 59 min", "2 min ago"; "—" without a certificate. */
export function timeToExpiry(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  const abs = Math.abs(seconds);
  const text =
    abs >= 86_400
      ? `${Math.floor(abs / 86_400)} d ${Math.floor((abs % 86_400) / 3600)} h`
      : abs >= 3600
        ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min`
        : abs >= 60
          ? `${Math.floor(abs / 60)} min`
          : `${abs} s`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}
