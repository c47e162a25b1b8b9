/**
 * Open-loop load at a fixed rate on keep-alive HTTP/1.1 connections (what wrk2 would do): request
 * i is due at start + i / rate and goes out on connection i mod n whether or not earlier answers
 * came back (pipelined if need be); its latency runs from that due time, so a stall is charged to
 * every request it delayed (no coordinated omission). Every answer of the server is the same size,
 * measured once, so an answer ends after that many bytes.
 */
import net, { type Socket } from 'node:net';
import { LatencyHistogram } from './histogram';

export interface OpenLoopOptions {
  host: string;
  port: number;
  ratePerSecond: number;
  seconds: number;
  connections: number;
}

export interface OpenLoopResult {
  sent: number;
  completed: number;
  /** Microseconds from each request's due time to its last answer byte. */
  histogram: LatencyHistogram;
  /** How late the sender's timer ran, at worst (ms): the client's own noise floor. */
  maxSendLagMs: number;
}

const request = (host: string, port: number) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);

/** One request on a fresh connection, to learn how many bytes an answer is. */
export function answerSize(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = 0;
    let head = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (!head.startsWith('HTTP/1.1 200')) return socket.destroy(new Error(`unexpected answer: ${head.slice(0, 40)}`));
      if (end >= 0 && length && received >= end + 4 + Number(length)) {
        socket.destroy();
        resolve(end + 4 + Number(length));
      }
    });
    socket.write(request(host, port));
  });
}

interface Connection {
  socket: Socket;
  /** Due times (performance.now() ms) of requests sent and not yet answered, oldest first. */
  due: number[];
  head: number;
  /** Bytes of the current answer received so far. */
  partial: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { host, port, ratePerSecond, seconds } = options;
  const size = await answerSize(host, port);
  const payload = request(host, port);
  const histogram = new LatencyHistogram();
  const connections: Connection[] = await Promise.all(Array.from({ length: options.connections }, () => connect(host, port)));
  let completed = 0;
  for (const connection of connections) {
    connection.socket.on('data', (chunk: Buffer) => {
      let bytes = chunk.length;
      const now = performance.now();
      while (bytes > 0) {
        const needed = size - connection.partial;
        if (bytes >= needed) {
          bytes -= needed;
          connection.partial = 0;
          const due = connection.due[connection.head++] as number;
          histogram.recordMicros((now - due) * 1000);
          completed++;
        } else {
          connection.partial += bytes;
          bytes = 0;
        }
      }
      if (connection.head > 1024 && connection.head === connection.due.length) {
        connection.due.length = 0;
        connection.head = 0;
      }
    });
  }
  const total = Math.round(ratePerSecond * seconds);
  const intervalMs = 1000 / ratePerSecond;
  let sent = 0;
  let maxSendLagMs = 0;
  const start = performance.now() + 5;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total) {
        const due = start + sent * intervalMs;
        if (due > now) break;
        if (now - due > maxSendLagMs) maxSendLagMs = now - due;
        const connection = connections[sent % connections.length] as Connection;
        connection.due.push(due);
        connection.socket.write(payload);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 1);
  });
  // Answers still in flight get up to 5 s.
  const deadline = performance.now() + 5_000;
  while (completed < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  for (const connection of connections) connection.socket.destroy();
  return { sent, completed, histogram, maxSendLagMs: Math.round(maxSendLagMs * 100) / 100 };
}

function connect(host: string, port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, due: [], head: 0, partial: 0 });
    });
  });
}
