/** Test support for the waypoint's unit tests (not part of the proxy: nothing outside *.test.ts imports it). */
import { Duplex } from 'node:stream';

/** The client end of a tunnel: what the waypoint wrote back, and a way to send. */
export class FakeClient extends Duplex {
  written = '';
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written += chunk.toString('latin1');
    done();
  }
  send(text: string): void {
    this.push(Buffer.from(text, 'latin1'));
  }
}
