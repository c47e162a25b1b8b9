import { type Http2Stream, constants as h2 } from 'node:http2';
import { Socket } from 'node:net';

/**
 * Joins a TCP socket to the other half of a proxied connection (an HBONE stream or another
 * socket): bytes both ways with backpressure, a FIN on one side becomes an end on the other
 * (half-close), and an error or reset on one side resets the other (RST_STREAM / TCP RST).
 */

export type BridgeSide = Socket | Http2Stream;

/** Called once both sides have closed; `error` is the first failure, if any. */
export type BridgeDone = (error: Error | undefined) => void;

export function bridge(socket: Socket, other: BridgeSide, done: BridgeDone): void {
  new Bridge(socket, other, done);
}

/**
 * Tears a side down abruptly: TCP RST for a socket, RST_STREAM for a stream. A stream is
 * destroyed rather than closed: `close(code)` first ends the writable side, and when the peer
 * has already ended its own, that END_STREAM completes the stream and the reset is never sent.
 */
export function abort(side: BridgeSide): void {
  if (side.destroyed) return;
  if (side instanceof Socket) {
    side.resetAndDestroy();
  } else if (!side.closed) {
    side.on('error', ignore);
    side.destroy(ABORTED);
  }
}

const ABORTED = new Error('the other side of the connection failed');

function ignore(): void {}

function endedCleanly(side: BridgeSide): boolean {
  if (side instanceof Socket) return side.readableEnded && side.writableFinished;
  return side.rstCode === h2.NGHTTP2_NO_ERROR;
}

class Bridge {
  private open = 2;
  private error: Error | undefined;

  constructor(
    private readonly a: Socket,
    private readonly b: BridgeSide,
    private readonly done: BridgeDone,
  ) {
    a.on('error', this.onAError);
    b.on('error', this.onBError);
    a.once('close', this.onAClose);
    b.once('close', this.onBClose);
    a.pipe(b);
    b.pipe(a);
  }

  private readonly onAError = (error: Error): void => {
    this.error ??= error;
    abort(this.b);
  };

  private readonly onBError = (error: Error): void => {
    this.error ??= error;
    abort(this.a);
  };

  private readonly onAClose = (): void => {
    if (!endedCleanly(this.a)) {
      this.error ??= new Error('connection reset before it completed');
      abort(this.b);
    }
    this.closed();
  };

  private readonly onBClose = (): void => {
    if (!endedCleanly(this.b)) {
      this.error ??= new Error(
        this.b instanceof Socket ? 'connection reset before it completed' : `tunnel stream reset (HTTP/2 code ${this.b.rstCode})`,
      );
      abort(this.a);
    }
    this.closed();
  };

  private closed(): void {
    if (--this.open === 0) this.done(this.error);
  }
}
