import net, { type Server, type Socket } from 'node:net';
import { readProxyHeader } from './proxy-protocol';

/**
 * Where captured traffic comes from. The proxies see only this: a socket and the destination the
 * workload meant. The loopback capture (one machine, a 127.x address per workload) listens on
 * the service addresses themselves; a transparent capture (network namespaces, redirect rules)
 * can implement the same interface later.
 */

/** A workload's connection and the `ip:port` it dialed; positional, so no object per connection. */
export type CapturedConnectionHandler = (socket: Socket, destinationIp: string, destinationPort: number) => void;

export interface CaptureListener {
  readonly address: string;
  readonly port: number;
  /** Stops listening and destroys the connections it accepted that are still open. */
  close(): Promise<void>;
}

export interface Capture {
  /** Accepts connections workloads make to `address:port` (a service VIP, or a redirect port). */
  listenOutbound(address: string, port: number, onConnection: CapturedConnectionHandler): Promise<CaptureListener>;
  /** Accepts plaintext (non-HBONE) connections meant for local workloads. */
  listenInboundPlaintext(address: string, port: number, onConnection: CapturedConnectionHandler): Promise<CaptureListener>;
}

const PROXY_HEADER_TIMEOUT_MS = 5_000;

/**
 * Loopback capture: an outbound listener's destination is its own address and port; plaintext
 * inbound clients name their destination with a PROXY protocol v1 header.
 */
export const loopbackCapture: Capture = {
  listenOutbound(address, port, onConnection) {
    return listen(address, port, (socket, listener) => onConnection(socket, listener.address, listener.port));
  },
  listenInboundPlaintext(address, port, onConnection) {
    return listen(address, port, (socket) => {
      socket.on('error', ignore);
      readProxyHeader(socket, PROXY_HEADER_TIMEOUT_MS).then(
        (header) => {
          socket.off('error', ignore);
          onConnection(socket, header.destinationIp, header.destinationPort);
        },
        () => socket.destroy(),
      );
    });
  },
};

function ignore(): void {}

class TcpListener implements CaptureListener {
  readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    readonly address: string,
    readonly server: Server,
  ) {}

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

function listen(address: string, port: number, accept: (socket: Socket, listener: TcpListener) => void): Promise<CaptureListener> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true });
  const listener = new TcpListener(address, server);
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    listener.sockets.add(socket);
    socket.once('close', () => listener.sockets.delete(socket));
    accept(socket, listener);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, () => {
      server.off('error', reject);
      const bound = server.address();
      listener.port = typeof bound === 'object' && bound ? bound.port : port;
      resolve(listener);
    });
  });
}
