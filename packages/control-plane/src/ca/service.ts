/**
 * The CA over gRPC, as Istio's proxies call it: `istio.v1.auth.IstioCertificateService/
 * CreateCertificate`, authenticated by `authorization: Bearer <node token>`. The xDS server hosts
 * it with `addCertificateService`; `startCertificateServer` runs it alone (tests, tools).
 */
import { type ErrorCode, isAmbitError } from '@ambit/shared/errors';
import { AMBIT_PROTO_DIR, type StructMessage, structToJson } from '@ambit/shared/xds';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { CertificateAuthority } from './authority';

export const CERTIFICATE_SERVICE = 'istio.v1.auth.IstioCertificateService';
const PROTO_FILE = 'istio/v1/auth/ca.proto';

/** Messages as @grpc/proto-loader hands them over (camelCase fields, int64 as number). */
export interface IstioCertificateRequest {
  csr?: string;
  validityDuration?: number;
  metadata?: StructMessage;
}
export interface IstioCertificateResponse {
  certChain: string[];
}

let packageDefinition: protoLoader.PackageDefinition | undefined;

/** Our ca.proto, loaded once. google/protobuf/struct.proto comes bundled with protobufjs. */
export function certificateProto(): protoLoader.PackageDefinition {
  packageDefinition ??= protoLoader.loadSync(PROTO_FILE, {
    includeDirs: [AMBIT_PROTO_DIR],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return packageDefinition;
}

export function certificateServiceDefinition(): grpc.ServiceDefinition {
  return certificateProto()[CERTIFICATE_SERVICE] as grpc.ServiceDefinition;
}

export function addCertificateService(server: grpc.Server, ca: CertificateAuthority): void {
  const createCertificate: grpc.handleUnaryCall<IstioCertificateRequest, IstioCertificateResponse> = (call, callback) => {
    const [authorization] = call.metadata.get('authorization');
    ca.createCertificate({
      authorization: typeof authorization === 'string' ? authorization : undefined,
      csr: call.request.csr ?? '',
      validitySeconds: Number(call.request.validityDuration ?? 0),
      metadata: call.request.metadata ? structToJson(call.request.metadata) : undefined,
      peer: call.getPeer(),
    }).then(
      (issued) => callback(null, { certChain: issued.chain }),
      (error: unknown) => callback(toGrpcError(error)),
    );
  };
  server.addService(certificateServiceDefinition(), { CreateCertificate: createCertificate });
}

export interface CertificateServer {
  /** `host:port` to dial. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves only the CA, on `host:port` (port 0 picks a free one). Plaintext unless given credentials. */
export async function startCertificateServer(
  ca: CertificateAuthority,
  options: { host?: string; port?: number; credentials?: grpc.ServerCredentials } = {},
): Promise<CertificateServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server();
  addCertificateService(server, ca);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, options.credentials ?? grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `${host}:${port}`,
    port,
    close: () => shutdown(server),
  };
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, grpc.status>> = {
  Unauthenticated: grpc.status.UNAUTHENTICATED,
  PermissionDenied: grpc.status.PERMISSION_DENIED,
  InvalidArgument: grpc.status.INVALID_ARGUMENT,
  NotFound: grpc.status.NOT_FOUND,
  Unavailable: grpc.status.UNAVAILABLE,
};

export function toGrpcError(error: unknown): grpc.ServerErrorResponse {
  const code = (isAmbitError(error) && STATUS_BY_CODE[error.code]) || grpc.status.INTERNAL;
  const details = isAmbitError(error) ? error.message : 'internal error';
  return Object.assign(new Error(details), { code, details });
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    // Give calls in flight a moment, then cut them off.
    const force = setTimeout(() => server.forceShutdown(), 1000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
