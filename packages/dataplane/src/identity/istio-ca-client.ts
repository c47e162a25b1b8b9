import { AmbitError } from '@ambit/shared/errors';
import {
  decodeIstioCertificateResponse,
  encodeIstioCertificateRequest,
  type IstioCertificateRequestMessage,
} from '@ambit/shared/xds/wire/index';
import type { ChannelSecurity } from '../xds/channel';
import { GrpcCallError, GrpcChannel, GrpcCode, unaryCall } from '../xds/grpc-channel';
import type { CertificateProvider } from './provider';

/**
 * The real certificate provider: a gRPC client of Istio's
 * `istio.v1.auth.IstioCertificateService/CreateCertificate`, as ztunnel calls it — the node token
 * as `authorization: Bearer`, and the workload it acts for as `ImpersonatedIdentity`.
 */

export const CERTIFICATE_SERVICE = 'istio.v1.auth.IstioCertificateService';

const CREATE_CERTIFICATE = `/${CERTIFICATE_SERVICE}/CreateCertificate`;

export interface IstioCertificateClientOptions extends ChannelSecurity {
  /** `host:port` of the CA (15012 with TLS, or a plaintext port in the embedded mesh). */
  address: string;
  /** The node token, or a function returning the current one (tokens rotate). */
  token: string | (() => string | Promise<string>);
  /** Requested certificate lifetime in seconds; 0 (default) lets the CA choose. */
  validitySeconds?: number;
  /** Sets `ImpersonatedIdentity`, as a node proxy asking for a workload does. Default true. */
  impersonate?: boolean;
  /** Per-call deadline; default 10 s. */
  timeoutMs?: number;
}

export interface IstioCertificateProvider extends CertificateProvider {
  close(): void;
}

export function createIstioCertificateProvider(options: IstioCertificateClientOptions): IstioCertificateProvider {
  const impersonate = options.impersonate ?? true;
  let channel: GrpcChannel | undefined;
  let closed = false;
  // One connection for every request while it lasts; a lost one is replaced on the next request.
  const connection = (): GrpcChannel => {
    if (!channel || channel.closed) {
      channel = new GrpcChannel({
        address: options.address,
        ...(options.tls ? { tls: options.tls } : {}),
        maxReceiveMessageBytes: 4 * 1024 * 1024,
      });
    }
    return channel;
  };
  return {
    async fetch(identity, csrPem) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      if (closed) throw new AmbitError('Unavailable', `the certificate client for ${options.address} is closed`);
      const request: IstioCertificateRequestMessage = { csr: csrPem, validityDuration: options.validitySeconds ?? 0 };
      if (impersonate) request.metadata = { fields: { ImpersonatedIdentity: { stringValue: identity } } };
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      let chain: string[];
      try {
        const response = await unaryCall(
          connection(),
          CREATE_CERTIFICATE,
          { authorization: `Bearer ${token}` },
          encodeIstioCertificateRequest(request),
          deadline,
        );
        chain = decodeIstioCertificateResponse(response).certChain;
      } catch (error) {
        throw toAmbitError(error, identity, options.address);
      }
      if (chain.length === 0) throw new AmbitError('Unavailable', `the CA at ${options.address} returned no certificate for ${identity}`);
      return chain;
    },
    close() {
      closed = true;
      channel?.close();
      channel = undefined;
    },
  };
}

function toAmbitError(error: unknown, identity: string, address: string): AmbitError {
  if (!(error instanceof GrpcCallError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new AmbitError('Unavailable', `CreateCertificate for ${identity} at ${address} failed: the response is unreadable (${message})`);
  }
  const code =
    error.code === GrpcCode.UNAUTHENTICATED
      ? 'Unauthenticated'
      : error.code === GrpcCode.PERMISSION_DENIED
        ? 'PermissionDenied'
        : error.code === GrpcCode.INVALID_ARGUMENT
          ? 'InvalidArgument'
          : 'Unavailable';
  return new AmbitError(code, `CreateCertificate for ${identity} at ${address} failed: ${error.details || error.message}`);
}
