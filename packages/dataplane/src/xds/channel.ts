// The gRPC channel to the control plane: plaintext (the embedded mesh, port 15010) or TLS verified
// against a root CA (port 15012), one fresh channel per connection attempt.
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';

export const DEFAULT_XDS_ADDRESS = '127.0.0.1:15010';

export interface XdsTlsOptions {
  /** PEM file of the root the control plane's certificate chains to; read on every attempt, so a rotated root applies on reconnect. */
  rootCaFile?: string;
  /** PEM text, instead of a file. */
  rootCa?: string | Buffer;
  /** The name the server certificate must carry when it differs from the address' host, e.g. `istiod.istio-system.svc`. */
  serverName?: string;
}

export interface ChannelSettings {
  /** `host:port`; default 127.0.0.1:15010. */
  address?: string;
  /** TLS; absent means plaintext. */
  tls?: XdsTlsOptions;
  /** Overrides `tls` with any credentials grpc-js accepts. */
  credentials?: grpc.ChannelCredentials;
  /** Extra grpc-js channel options, applied last. */
  grpcOptions?: grpc.ChannelOptions;
}

const CHANNEL_DEFAULTS: grpc.ChannelOptions = {
  // A private subchannel: the client's own backoff decides when to retry, not a shared channel's.
  'grpc.use_local_subchannel_pool': 1,
  // Notice a control plane that vanished without closing the connection.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  // A full workload view of a large mesh outgrows grpc-js' 4 MiB default.
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
};

/** Opens a channel; rejects when the root CA cannot be read. */
export async function openChannel(settings: ChannelSettings): Promise<grpc.Client> {
  const { credentials, options } = await channelSecurity(settings);
  return new grpc.Client(settings.address ?? DEFAULT_XDS_ADDRESS, credentials, {
    ...CHANNEL_DEFAULTS,
    ...options,
    ...settings.grpcOptions,
  });
}

/**
 * The credentials and name-override options `settings` ask for (plaintext without `tls`); also for
 * other clients of the control plane's gRPC port, such as the CA's. Rejects when the root CA cannot be read.
 */
export async function channelSecurity(
  settings: Pick<ChannelSettings, 'tls' | 'credentials'>,
): Promise<{ credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions }> {
  const options: grpc.ChannelOptions = {};
  if (settings.credentials) return { credentials: settings.credentials, options };
  const tls = settings.tls;
  if (!tls) return { credentials: grpc.credentials.createInsecure(), options };
  const rootCa = tls.rootCaFile ? await readFile(tls.rootCaFile) : tls.rootCa === undefined ? undefined : Buffer.from(tls.rootCa);
  if (tls.serverName) {
    options['grpc.ssl_target_name_override'] = tls.serverName;
    options['grpc.default_authority'] = tls.serverName;
  }
  return { credentials: grpc.credentials.createSsl(rootCa), options };
}
