import { TRPCClientError } from '@trpc/client';

/** The BFF's message is written for users (it names the field); show it as is. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: unknown } | undefined;
    return typeof data?.code === 'string' ? data.code : undefined;
  }
  return undefined;
}

export function isUnauthenticated(error: unknown): boolean {
  return errorCode(error) === 'UNAUTHORIZED';
}
