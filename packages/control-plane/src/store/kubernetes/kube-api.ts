/**
 * Requests to a Kubernetes API server through @kubernetes/client-node's transport and
 * authentication (kubeconfig or in-cluster service account), and the API's `Status` errors turned
 * into AmbitErrors a user can act on — a server-side apply conflict names each field and the
 * field manager that owns it.
 */
import { AmbitError, type ErrorCode, type ErrorDetail } from '@ambit/shared/errors';
import { createConfiguration, HttpMethod, type KubeConfig, ServerConfiguration } from '@kubernetes/client-node';

type Configuration = ReturnType<typeof createConfiguration>;

/** `metav1.Status`, as the API answers a failed request (and a watch's ERROR event). */
export interface ApiStatus {
  kind?: 'Status';
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { type?: string; message?: string; field?: string }[] };
}

export interface ApiRequest {
  query?: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  contentType?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

const METHODS = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
} as const;

export class KubeApi {
  readonly server: string;
  private readonly configuration: Configuration;

  constructor(readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new AmbitError('InvalidArgument', 'the kubeconfig names no current cluster; set a current context');
    this.server = cluster.server;
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
    });
  }

  /** Sends one request; any answer (2xx or not) comes back, only a transport failure throws. */
  async send(method: keyof typeof METHODS, path: string, request: ApiRequest = {}): Promise<ApiResponse> {
    const context = this.configuration.baseServer.makeRequestContext(path, METHODS[method]);
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) context.setQueryParam(k, v);
    context.setHeaderParam('Accept', 'application/json');
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    await this.kubeConfig.applySecurityAuthentication(context);
    let text: string;
    let status: number;
    try {
      const response = await this.configuration.httpApi.send(context).toPromise();
      status = response.httpStatusCode;
      text = await response.body.text();
    } catch (error) {
      throw new AmbitError('Unavailable', `the Kubernetes API server at ${this.server} cannot be reached: ${(error as Error).message}`);
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = { message: text };
    }
    return { status, body };
  }

  /** Like send, but a non-2xx answer throws the AmbitError its Status describes. */
  async call<T>(method: keyof typeof METHODS, path: string, request: ApiRequest = {}, what = `${method} ${path}`): Promise<T> {
    const response = await this.send(method, path, request);
    if (response.status >= 200 && response.status < 300) return response.body as T;
    throw statusError(response.status, response.body as ApiStatus, what);
  }
}

const CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'InvalidArgument',
  401: 'Unauthenticated',
  403: 'PermissionDenied',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'SchemaValidation',
};

/** The AmbitError for a failed API request, keeping the server's causes as field-level details. */
export function statusError(httpStatus: number, status: ApiStatus | undefined, what: string): AmbitError {
  const reason = status?.reason;
  let code: ErrorCode = CODES[httpStatus] ?? (httpStatus >= 500 ? 'Unavailable' : 'Internal');
  if (httpStatus === 409 && reason === 'AlreadyExists') code = 'AlreadyExists';
  const causes = status?.details?.causes ?? [];
  const details: ErrorDetail[] = causes.map((cause) => {
    const path = cause.field?.replace(/^\./, '');
    if (cause.type === 'FieldManagerConflict') {
      return {
        ...(path ? { path } : {}),
        message: `${cause.message ?? 'conflict'}: another field manager owns this field with a different value; apply with force to take it over, or drop the field from your document`,
      };
    }
    return { ...(path ? { path } : {}), message: cause.message ?? reason ?? 'rejected' };
  });
  return new AmbitError(code, `${what}: ${status?.message ?? `the API server answered ${httpStatus}`}`, details);
}
