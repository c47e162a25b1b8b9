/**
 * Types for the slice of `node:_http_common` the upstream HTTP/1.1 connection uses: the llhttp
 * binding under Node's own http client, with its strict (non-lenient) settings.
 */
declare module 'node:_http_common' {
  export class HTTPParser {
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
  /** True when `value` holds a byte not allowed in a header value. */
  export function _checkInvalidHeaderChar(value: string): boolean;
  /** True when `name` is an RFC 9110 token. */
  export function _checkIsHttpToken(name: string): boolean;
}
