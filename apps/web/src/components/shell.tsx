'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { api, rememberCsrfToken } from '../api/client';
import { errorMessage, isUnauthenticated } from '../api/errors';
import { useSession } from '../session/use-session';
import { ThemeToggle } from '../theme/theme-toggle';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/topology', label: 'Topology' },
  { href: '/services', label: 'Services' },
  { href: '/workloads', label: 'Workloads' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/policies', label: 'Policies' },
  { href: '/history', label: 'History' },
  { href: '/proxies', label: 'Proxies' },
  { href: '/audit/mtls', label: 'mTLS audit' },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/** Navigation and the sign-in gate: every page but /login needs a session. */
export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const onLogin = pathname === '/login';
  const session = useSession();
  const signedOut = session.isError && isUnauthenticated(session.error);

  useEffect(() => {
    if (!onLogin && signedOut) router.replace(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [onLogin, signedOut, router]);

  const logout = useMutation({
    mutationFn: () => api.auth.logout.mutate(),
    onSettled: () => {
      rememberCsrfToken(undefined);
      queryClient.clear();
      router.replace('/login');
    },
  });

  if (onLogin) return <main className="login-main">{children}</main>;

  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Ambit</span>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent(pathname, item.href) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <ThemeToggle />
          {session.data ? (
            <>
              <span className="muted" data-testid="whoami">
                {session.data.name} ({session.data.role})
              </span>
              <button type="button" className="button subtle" onClick={() => logout.mutate()} disabled={logout.isPending}>
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="content" className="content">
        {session.isPending || signedOut ? (
          <p className="muted" role="status">
            Checking your session…
          </p>
        ) : session.isError ? (
          <p className="error" role="alert">
            Could not reach the Ambit API: {errorMessage(session.error)}
          </p>
        ) : (
          children
        )}
      </main>
    </div>
  );
}
