'use client';

import { useQuery } from '@tanstack/react-query';
import { api, rememberCsrfToken } from '../api/client';

export const SESSION_KEY = ['auth.me'] as const;

/** Who is signed in; keeps the CSRF token for mutations. An UNAUTHORIZED error means: go to /login. */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      const me = await api.auth.me.query();
      rememberCsrfToken('csrfToken' in me ? me.csrfToken : undefined);
      return me;
    },
    retry: false,
    staleTime: 60_000,
  });
}
