/**
 * The one place the waypoint's HTTP/1.1 connections (downstream requests, upstream responses) get
 * their llhttp parser: never lenient, whatever the process flags say (`--insecure-http-parser`), so
 * framing is as strict as Node's own server and client.
 */
import { HTTPParser } from 'node:_http_common';

/** What llhttp calls while it parses a connection's messages (signatures as Node's own parser users get them). */
export interface HttpParserCallbacks {
  onHeaders: (headers: string[], url: string) => void;
  onHeadersComplete: (...args: never[]) => unknown;
  onBody: (chunk: Buffer) => void;
  onMessageComplete: () => void;
}

/** A strict parser of `kind` messages; `maxHeaderBytes` 0 is Node's own limit (--max-http-header-size, 16 KiB). */
export function strictHttpParser(kind: 'request' | 'response', maxHeaderBytes: number, callbacks: HttpParserCallbacks): HTTPParser {
  const parser = new HTTPParser();
  parser.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, maxHeaderBytes, HTTPParser.kLenientNone);
  parser[HTTPParser.kOnHeaders] = callbacks.onHeaders;
  parser[HTTPParser.kOnHeadersComplete] = callbacks.onHeadersComplete;
  parser[HTTPParser.kOnBody] = callbacks.onBody;
  parser[HTTPParser.kOnMessageComplete] = callbacks.onMessageComplete;
  return parser;
}
