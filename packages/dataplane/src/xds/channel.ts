// The gRPC channel to the control plane: plaintext (the embedded mesh, port 15010) or TLS verified
// against a root CA (port 15012), one fresh channel per connection attempt.
import { readFile } from 'node:fs/promises';
import { GrpcChannel, type GrpcTls } from './grpc-channel';

export const DEFAULT_XDS_ADDRESS = '127.0.0.1:15010';

export interface XdsTlsOptions {
  /** PEM file of the root the control plane's certificate chains to; read on every attempt, so a rotated root applies on reconnect. */
  rootCaFile?: string;
  /** PEM text, instead of a file. */
  rootCa?: string | Buffer;
  /** The name the server certificate must carry when it differs from the address' host, e.g. `istiod.istio-system.svc`. */
  serverName?: string;
}

/**
 * gRPC channel options in grpc-js' spelling; the proxies' own client honours
 * `grpc.keepalive_time_ms`, `grpc.keepalive_timeout_ms` and `grpc.max_receive_message_length`
 * and ignores the rest (subchannel pools and the like do not exist in it).
 */
export type GrpcChannelSettings = Readonly<Record<string, string | number>>;

export interface ChannelSettings {
  /** `host:port`; default 127.0.0.1:15010. */
  address?: string;
  /** TLS; absent means plaintext. */
  tls?: XdsTlsOptions;
  /** Extra channel options, applied last. */
  grpcOptions?: GrpcChannelSettings;
}

/** What a channel to the control plane needs to know about its security: TLS settings, or none for plaintext. */
export interface ChannelSecurity {
  tls?: GrpcTls;
}

/** Opens a channel; rejects when the root CA cannot be read. */
export async function openChannel(settings: ChannelSettings): Promise<GrpcChannel> {
  const security = await channelSecurity(settings);
  const options = settings.grpcOptions ?? {};
  const number = (key: string): number | undefined => (typeof options[key] === 'number' ? (options[key] as number) : undefined);
  return new GrpcChannel({
    address: settings.address ?? DEFAULT_XDS_ADDRESS,
    ...security,
    // Notice a control plane that vanished without closing the connection.
    keepaliveTimeMs: number('grpc.keepalive_time_ms') ?? 30_000,
    keepaliveTimeoutMs: number('grpc.keepalive_timeout_ms') ?? 10_000,
    maxReceiveMessageBytes: number('grpc.max_receive_message_length') ?? 64 * 1024 * 1024,
  });
}

/**
 * The TLS settings `settings` ask for (plaintext without `tls`); also for other clients of the
 * control plane's gRPC port, such as the CA's. Rejects when the root CA cannot be read.
 */
export async function channelSecurity(settings: Pick<ChannelSettings, 'tls'>): Promise<ChannelSecurity> {
  const tls = settings.tls;
  if (!tls) return {};
  const ca = tls.rootCaFile ? await readFile(tls.rootCaFile) : tls.rootCa === undefined ? undefined : Buffer.from(tls.rootCa);
  const out: GrpcTls = {};
  if (ca) out.ca = ca;
  if (tls.serverName) out.servername = tls.serverName;
  return { tls: out };
}
