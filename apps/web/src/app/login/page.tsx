'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useState } from 'react';
import { api, rememberCsrfToken } from '../../api/client';
import { errorMessage } from '../../api/errors';

/** Only same-site paths: a crafted ?next= must not send the user elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: (input: { username: string; password: string }) => api.auth.login.mutate(input),
    onSuccess: (result) => {
      rememberCsrfToken(result.csrfToken);
      queryClient.clear();
      router.replace(safeNext(params.get('next')));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username, password });
  };
  return (
    <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Ambit</h1>
      <label>
        Username
        <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {login.isError ? (
        <p className="error" role="alert">
          {errorMessage(login.error)}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <LoginForm />
    </Suspense>
  );
}
