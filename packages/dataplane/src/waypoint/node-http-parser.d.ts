/**
 * Types for the slice of `node:_http_common` the HTTP/1.1 connections use (upstream responses,
 * downstream requests): the llhttp binding under Node's own http client and server, with its strict
 * (non-lenient) settings.
 */
declare module 'node:_http_common' {
  export class HTTPParser {
    static readonly REQUEST: number;
    static readonly RESPONSE: number;
    static readonly kOnHeaders: number;
    static readonly kOnHeadersComplete: number;
    static readonly kOnBody: number;
    static readonly kOnMessageComplete: number;
    static readonly kLenientNone: number;
    [callback: number]: unknown;
    initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
    /** Bytes parsed, or the parse error (`code` HPE_*). */
    execute(data: Buffer): number | Error;
    /** End of input: completes a body delimited by the connection's close, or returns the error. */
    finish(): undefined | Error;
    close(): void;
  }
  /** Method names by llhttp's method number (what a request's `onHeadersComplete` gets). */
  export const methods: readonly string[];
  /** True when `value` holds a byte not allowed in a header value. */
  export function _checkInvalidHeaderChar(value: string): boolean;
  /** True when `name` is an RFC 9110 token. */
  export function _checkIsHttpToken(name: string): boolean;
}
