import type { Socket } from 'node:net';

/**
 * Reads a PROXY protocol v1 header (`PROXY TCP4 <src> <dst> <sport> <dport>\r\n`): how a
 * plaintext client tells the loopback capture which workload it means, since loopback has no
 * redirect that would keep the original destination.
 */

export interface ProxyHeader {
  sourceIp: string;
  sourcePort: number;
  destinationIp: string;
  destinationPort: number;
}

/** v1 headers are at most 107 bytes, CRLF included. */
const MAX_HEADER = 107;

export function parseProxyHeaderLine(line: string): ProxyHeader | undefined {
  const parts = line.split(' ');
  if (parts.length !== 6 || parts[0] !== 'PROXY' || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return undefined;
  const sourcePort = Number(parts[4]);
  const destinationPort = Number(parts[5]);
  if (!isPort(sourcePort) || !isPort(destinationPort)) return undefined;
  return { sourceIp: parts[2] as string, sourcePort, destinationIp: parts[3] as string, destinationPort };
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 65535;
}

/**
 * Waits for the header, leaves the bytes after it unread on the socket (paused), and resolves to
 * the header; rejects on a malformed header, a close, or after `timeoutMs`.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no PROXY header within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n');
      if (end === -1) {
        if (buffered.length >= MAX_HEADER) finish(new Error('PROXY header too long'));
        return;
      }
      const header = parseProxyHeaderLine(buffered.toString('latin1', 0, end));
      if (!header) {
        finish(new Error('malformed PROXY header'));
        return;
      }
      const rest = buffered.subarray(end + 2);
      finish(undefined, header);
      if (rest.length > 0) socket.unshift(rest);
    };
    const onEnd = (): void => finish(new Error('connection closed before the PROXY header'));
    function finish(error: Error | undefined, header?: ProxyHeader): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      if (error) reject(error);
      else resolve(header as ProxyHeader);
    }
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
    socket.resume();
  });
}
