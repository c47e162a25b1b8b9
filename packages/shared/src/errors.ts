/**
 * Errors are values with a stable code, a message a user can act on, and — where the fault is in
 * a document — the field path that caused it. Every layer throws or returns these; the CLI and
 * the API print them as they are.
 */

export type ErrorCode =
  | 'InvalidYaml'
  | 'InvalidDocument'
  | 'UnknownKind'
  | 'SchemaValidation'
  | 'DocumentTooLarge'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'NamespaceNotFound'
  | 'InvalidArgument'
  | 'PermissionDenied'
  | 'Unauthenticated'
  | 'Unavailable'
  | 'Internal';

/** Where in an input a problem sits: which document of a multi-document file, which object, which field. */
export interface ErrorLocation {
  /** 0-based index of the YAML document in its file. */
  document?: number;
  /** 1-based line in the source text, where known. */
  line?: number;
  /** `Kind/name` or `Kind/namespace/name` of the object, where known. */
  object?: string;
  /** Field path in the object, like `spec.rules[0].to[0].operation.ports[1]`. */
  path?: string;
}

export interface ErrorDetail extends ErrorLocation {
  message: string;
}

export class AmbitError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.name = 'AmbitError';
    this.code = code;
    this.details = details;
  }

  /** One line per detail, each prefixed with where it happened: what the CLI prints. */
  describe(): string {
    if (this.details.length === 0) return this.message;
    return [this.message, ...this.details.map((d) => `  ${formatDetail(d)}`)].join('\n');
  }

  toJSON(): { code: ErrorCode; message: string; details: readonly ErrorDetail[] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function formatDetail(d: ErrorDetail): string {
  const where: string[] = [];
  if (d.document !== undefined) where.push(`document ${d.document}`);
  if (d.line !== undefined) where.push(`line ${d.line}`);
  if (d.object) where.push(d.object);
  const prefix = where.length > 0 ? `${where.join(', ')}: ` : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${prefix}${path}${d.message}`;
}

export function isAmbitError(e: unknown): e is AmbitError {
  return e instanceof AmbitError;
}
