// Receives Gatehouse's webhooks in a Node app: each delivery verified with the
// standardwebhooks library (npm install standardwebhooks), answered 204, and
// each event handled once (deliveries are at-least-once: a retry has the same webhook-id).
// Usage: WEBHOOK_SECRET=whsec_... PORT=3000 node webhook-receiver.mjs
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const seen = new Set(); // a real app keeps these in its database

createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    let event;
    try {
      // The signature over the raw body, and a timestamp within 5 minutes of now.
      event = webhook.verify(body, req.headers);
    } catch {
      res.writeHead(401).end();
      return;
    }
    const id = req.headers['webhook-id'];
    if (!seen.has(id)) {
      seen.add(id);
      console.log(event.type, event.data.user?.email ?? '');
    }
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
