import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver got, and whether its signature verified with the receiver's secret(s). */
export interface Received {
  id: string;
  timestamp: number;
  signatures: string[];
  headers: IncomingHttpHeaders;
  body: string;
  event: { type: string; timestamp: string; data: Record<string, any> };
  /** Which of the receiver's secrets verify it (the Standard Webhooks algorithm, through the standardwebhooks library). */
  verifiedBy: string[];
}

/** What the receiver answers to its n-th request (from 1): a status, or `hang` (never answers until closed). */
export type Answer = (n: number, request: Received) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** The secrets to verify with (set after adding the endpoint: its secret is known then). */
  secrets: string[];
  answer: Answer;
  /** Waits for a request matching, up to `ms` (real time: the delivery loop is real). */
  waitFor(match: (r: Received) => boolean, ms?: number): Promise<Received>;
  /** Answers every request held by `hang` (with 200). */
  release(): void;
  close(): Promise<void>;
}

/** An app's webhook receiver on 127.0.0.1 (on `port`, or a free one): records, verifies, answers as told (204 by default). */
export async function startReceiver(answer: Answer = () => 204, port = 0): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    secrets: [],
    answer,
    async waitFor(match, ms = 15_000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const found = receiver.received.find(match);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no matching webhook within ${ms} ms; got: ${receiver.received.map((r) => r.event.type).join(', ') || 'nothing'}`);
    },
    release() {
      for (const res of held.splice(0)) res.writeHead(200).end();
    },
    async close() {
      receiver.release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const headers = req.headers;
      const verifiedBy = receiver.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(body, headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      const got: Received = {
        id: String(headers['webhook-id']),
        timestamp: Number(headers['webhook-timestamp']),
        signatures: String(headers['webhook-signature'] ?? '').split(' '),
        headers,
        body,
        event: JSON.parse(body),
        verifiedBy,
      };
      receiver.received.push(got);
      const status = receiver.answer(receiver.received.length, got);
      if (status === 'hang') held.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
