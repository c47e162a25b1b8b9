import { AmbitError } from '@ambit/shared/errors';
import { AMBIT_PROTO_DIR } from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { CertificateProvider } from './provider';

/**
 * The real certificate provider: a gRPC client of Istio's
 * `istio.v1.auth.IstioCertificateService/CreateCertificate`, as ztunnel calls it — the node token
 * as `authorization: Bearer`, and the workload it acts for as `ImpersonatedIdentity`.
 */

export const CERTIFICATE_SERVICE = 'istio.v1.auth.IstioCertificateService';

export interface IstioCertificateClientOptions {
  /** `host:port` of the CA (15012 with TLS, or a plaintext port in the embedded mesh). */
  address: string;
  /** The node token, or a function returning the current one (tokens rotate). */
  token: string | (() => string | Promise<string>);
  /** Defaults to plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** grpc-js channel options, e.g. `grpc.ssl_target_name_override` when the CA's certificate names another host. */
  channelOptions?: grpc.ChannelOptions;
  /** Requested certificate lifetime in seconds; 0 (default) lets the CA choose. */
  validitySeconds?: number;
  /** Sets `ImpersonatedIdentity`, as a node proxy asking for a workload does. Default true. */
  impersonate?: boolean;
  /** Per-call deadline; default 10 s. */
  timeoutMs?: number;
}

interface StructValue {
  stringValue: string;
}

interface CreateCertificateRequest {
  csr: string;
  validityDuration: number;
  metadata?: { fields: Record<string, StructValue> };
}

interface CreateCertificateResponse {
  certChain?: string[];
}

type CertificateClient = grpc.Client & {
  CreateCertificate(
    request: CreateCertificateRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: CreateCertificateResponse) => void,
  ): grpc.ClientUnaryCall;
};

let clientConstructor: grpc.ServiceClientConstructor | undefined;

function certificateClientConstructor(): grpc.ServiceClientConstructor {
  if (!clientConstructor) {
    const definition = protoLoader.loadSync('istio/v1/auth/ca.proto', {
      includeDirs: [AMBIT_PROTO_DIR],
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: false,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      istio: { v1: { auth: { IstioCertificateService: grpc.ServiceClientConstructor } } };
    };
    clientConstructor = loaded.istio.v1.auth.IstioCertificateService;
  }
  return clientConstructor;
}

export interface IstioCertificateProvider extends CertificateProvider {
  close(): void;
}

export function createIstioCertificateProvider(options: IstioCertificateClientOptions): IstioCertificateProvider {
  const Client = certificateClientConstructor();
  const client = new Client(
    options.address,
    options.credentials ?? grpc.credentials.createInsecure(),
    options.channelOptions,
  ) as unknown as CertificateClient;
  const impersonate = options.impersonate ?? true;
  return {
    async fetch(identity, csrPem) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const request: CreateCertificateRequest = { csr: csrPem, validityDuration: options.validitySeconds ?? 0 };
      if (impersonate) request.metadata = { fields: { ImpersonatedIdentity: { stringValue: identity } } };
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      const response = await new Promise<CreateCertificateResponse>((resolve, reject) => {
        client.CreateCertificate(request, metadata, { deadline }, (error, value) => {
          if (error) reject(toAmbitError(error, identity, options.address));
          else resolve(value ?? {});
        });
      });
      const chain = response.certChain ?? [];
      if (chain.length === 0) throw new AmbitError('Unavailable', `the CA at ${options.address} returned no certificate for ${identity}`);
      return chain;
    },
    close() {
      client.close();
    },
  };
}

function toAmbitError(error: grpc.ServiceError, identity: string, address: string): AmbitError {
  const code =
    error.code === grpc.status.UNAUTHENTICATED
      ? 'Unauthenticated'
      : error.code === grpc.status.PERMISSION_DENIED
        ? 'PermissionDenied'
        : error.code === grpc.status.INVALID_ARGUMENT
          ? 'InvalidArgument'
          : 'Unavailable';
  return new AmbitError(code, `CreateCertificate for ${identity} at ${address} failed: ${error.details || error.message}`);
}
