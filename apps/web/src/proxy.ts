import { type NextRequest, NextResponse } from 'next/server';

/**
 * Rewrites /api/trpc/* to the BFF so the console and its API share one origin (first-party session
 * cookie, no CORS). Here rather than in next.config's rewrites, which are fixed at build time: the
 * BFF address comes from AMBIT_BFF_URL when the server starts.
 */
export function proxy(request: NextRequest): NextResponse {
  const bff = process.env.AMBIT_BFF_URL ?? 'http://127.0.0.1:4000';
  const target = new URL(request.nextUrl.pathname + request.nextUrl.search, bff);
  return NextResponse.rewrite(target);
}

export const config = { matcher: '/api/trpc/:path*' };
