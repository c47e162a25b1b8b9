/**
 * The application server every path ends at, in its own process so its CPU is not the load
 * generator's: HTTP/1.1, a fixed 1 KiB body, keep-alive. Prints "ready <port>" once listening.
 */
import http from 'node:http';

const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
const BODY = Buffer.alloc(1024, 'a');
const HEADERS = { 'content-type': 'text/plain', 'content-length': String(BODY.length) };

const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, HEADERS);
  response.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.on('connection', (socket) => socket.setNoDelay(true));
server.listen(Number(port), host, () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
