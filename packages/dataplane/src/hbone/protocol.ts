import type { Settings } from 'node:http2';

/** HBONE's fixed parameters: TLS 1.3 with ALPN h2, HTTP/2 flow-control windows, reserved ports. */

export const HBONE_ALPN: readonly string[] = Object.freeze(['h2']);
export const TLS_VERSION = 'TLSv1.3';
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
export const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
/** Streams one session carries before the pool opens another. */
export const STREAMS_PER_SESSION = 100;
/** What a server lets a peer open at once; above STREAMS_PER_SESSION so a pool never hits it first. */
export const SERVER_MAX_CONCURRENT_STREAMS = 1000;
/** nghttp2 memory per session (MB); the default 10 is below one full connection window. */
export const MAX_SESSION_MEMORY_MB = 64;

/** ztunnel's own ports (outbound capture, plaintext inbound, HBONE): never a valid tunnel target. */
export const RESERVED_TARGET_PORTS: ReadonlySet<number> = new Set([15001, 15006, 15008]);

export const HBONE_SETTINGS: Settings = Object.freeze({
  enablePush: false,
  initialWindowSize: STREAM_WINDOW_BYTES,
});
