import { AmbitError, type ErrorCode, type ErrorDetail, formatDetail } from '@ambit/shared';
import { TRPCError } from '@trpc/server';

type TRPCCode = TRPCError['code'];

/** AmbitError codes as tRPC (and so HTTP) codes. */
const CODES: Readonly<Record<ErrorCode, TRPCCode>> = {
  InvalidYaml: 'BAD_REQUEST',
  InvalidDocument: 'BAD_REQUEST',
  UnknownKind: 'BAD_REQUEST',
  SchemaValidation: 'BAD_REQUEST',
  InvalidArgument: 'BAD_REQUEST',
  DocumentTooLarge: 'PAYLOAD_TOO_LARGE',
  NotFound: 'NOT_FOUND',
  NamespaceNotFound: 'NOT_FOUND',
  AlreadyExists: 'CONFLICT',
  Conflict: 'CONFLICT',
  Expired: 'PRECONDITION_FAILED',
  PermissionDenied: 'FORBIDDEN',
  Unauthenticated: 'UNAUTHORIZED',
  Unavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL_SERVER_ERROR',
};

/** The message a user reads: the reason, then each detail with its document, object and field path. */
export function describeAmbitError(error: AmbitError): string {
  if (error.details.length === 0) return error.message;
  return `${error.message}: ${error.details.map(formatDetail).join('; ')}`;
}

/** Handlers throw AmbitErrors (or call code that does); this gives them their tRPC code, keeping the cause for the formatter. */
export function toTRPCError(error: AmbitError): TRPCError {
  return new TRPCError({ code: CODES[error.code], message: describeAmbitError(error), cause: error });
}

/** What the client gets in `error.data.ambit`: the code and the located details, for editors to mark lines. */
export interface ErrorData {
  code: ErrorCode | 'InvalidInput';
  details: readonly ErrorDetail[];
}

interface SchemaIssue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}

/** `spec.rules[0].name` from a validator's issue path. */
export function issuePath(path: SchemaIssue['path']): string {
  let out = '';
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out;
}

function schemaIssues(cause: unknown): readonly SchemaIssue[] | undefined {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause)) return undefined;
  const issues = (cause as { issues: unknown }).issues;
  return Array.isArray(issues) ? (issues as SchemaIssue[]) : undefined;
}

/** Message and data for an error the client will see; internal errors say nothing about the inside. */
export function presentError(error: TRPCError): { message: string; ambit?: ErrorData } {
  if (error.cause instanceof AmbitError) {
    return { message: error.message, ambit: { code: error.cause.code, details: error.cause.details } };
  }
  const issues = error.code === 'BAD_REQUEST' ? schemaIssues(error.cause) : undefined;
  if (issues) {
    const details = issues.map((issue) => ({ path: issuePath(issue.path) || '(input)', message: issue.message }));
    return {
      message: `invalid input: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      ambit: { code: 'InvalidInput', details },
    };
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') return { message: 'internal error; the BFF log has the details' };
  return { message: error.message };
}
