import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local SMS gateway for SMS_WEBHOOK_URL: keeps every `{to, text}` it is sent; can be told to fail or hang. */
export interface SmsReceiver {
  url: string;
  texts: Array<{ to: string; text: string }>;
  /** How it answers: delivers, fails with a 500, or never answers. */
  mode: 'deliver' | 'fail' | 'hang';
  /** The texts to one number. */
  to(e164: string): Array<{ to: string; text: string }>;
  /** The 6-digit code of the newest text to one number. */
  codeFor(e164: string): string;
  close(): Promise<void>;
}

export async function smsReceiver(): Promise<SmsReceiver> {
  const receiver = { texts: [], mode: 'deliver' } as unknown as SmsReceiver;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (receiver.mode === 'hang') return;
      if (receiver.mode === 'fail') return res.writeHead(500).end('gateway down');
      receiver.texts.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  receiver.to = (e164) => receiver.texts.filter((t) => t.to === e164);
  receiver.codeFor = (e164) => {
    const text = receiver.to(e164).at(-1)?.text;
    const code = text && /(\d{6})/.exec(text)?.[1];
    if (!code) throw new Error(`no text to ${e164}`);
    return code;
  };
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

let sequence = 0;

/** A mainland mobile number no other test uses: as a person types it, and in E.164. */
export function newNumber(): { typed: string; e164: string } {
  sequence += 1;
  const digits = `139${String(process.pid % 10_000).padStart(4, '0')}${String(sequence).padStart(4, '0')}`;
  return { typed: digits, e164: `+86${digits}` };
}
