/**
 * The lock on mTLS edges and the mark on plaintext ones, drawn as inline SVG: an emoji lock renders as an empty
 * box where the system has no emoji font (Debian's chromium), and it could not be styled or exported.
 */
export function SecurityIcon({ mtls }: { mtls: boolean }) {
  const label = mtls ? 'mutual TLS' : 'plaintext';
  return (
    <svg
      className={`security-icon${mtls ? ' mtls' : ' plaintext'}`}
      role="img"
      aria-label={label}
      viewBox="0 0 16 16"
      width="12"
      height="12"
      data-testid={mtls ? 'mtls-lock' : 'plaintext-mark'}
    >
      {mtls ? (
        <>
          <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
        </>
      ) : (
        <>
          <path d="M8 1.5 15 14.5H1Z" fill="currentColor" />
          <path d="M8 6v4.2M8 11.8v1.2" stroke="#fff" strokeWidth="1.8" />
        </>
      )}
    </svg>
  );
}
