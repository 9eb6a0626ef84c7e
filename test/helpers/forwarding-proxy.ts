import { createServer, request as forward, type Server } from 'node:http';

/** The header a test sets to play a client at another address; the proxy strips it. */
export const PEER_HEADER = 'x-test-peer-address';

export interface ForwardingProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of a test server that does what nginx does with
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: it keeps whatever
 * X-Forwarded-For the client wrote and appends the address it sees the client at.
 * Every test client connects from 127.0.0.1, so a request can name the address the
 * proxy should see instead (PEER_HEADER), to play clients elsewhere on the network.
 */
export async function startForwardingProxy(target: string): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers };
    const peer = (headers[PEER_HEADER] as string | undefined) ?? incoming.socket.remoteAddress ?? '';
    delete headers[PEER_HEADER];
    const written = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = written ? `${written}, ${peer}` : peer;
    const upstreamRequest = forward({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstreamRequest.on('error', () => {
      outgoing.writeHead(502).end();
    });
    incoming.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
