// The webhook sender refuses server-side request forgery where the connection
// is made: every address a name resolves to must be public (unless
// WEBHOOK_ALLOW_PRIVATE=on), an address written in the URL is checked too,
// and only http(s) is spoken.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { HttpWebhookSender, isPublicAddress } from '../../src/store/webhooks/http-sender.ts';

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 });

test('private, loopback, link-local and mapped addresses are not public; a public one is', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '192.168.0.1',
    '172.16.0.1',
    '169.254.169.254',
    '::1',
    'fe80::1',
    'fc00::1',
    '::ffff:10.0.0.1',
    '100.64.0.1',
    '0.0.0.0',
  ])
    assert.equal(isPublicAddress(a), false, a);
  for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) assert.equal(isPublicAddress(a), true, a);
});

test('a URL that is not http(s), or names a private address, is refused before any connection', () => {
  const sender = new HttpWebhookSender({ allowPrivate: false });
  assert.match(sender.refusal('ftp://example.com/x')!, /only http/);
  assert.match(sender.refusal('http://10.0.0.1/x')!, /private or loopback/);
  assert.match(sender.refusal('http://[::1]:8080/x')!, /private or loopback/);
  assert.equal(sender.refusal('https://example.com/x'), null);
  assert.equal(new HttpWebhookSender({ allowPrivate: true }).refusal('http://10.0.0.1/x'), null);
  sender.close();
});

test('a name resolving to a private address is refused at connection time (one private address among public ones is enough); allowed with allowPrivate', async () => {
  let hits = 0;
  const receiver = createServer((_req, res) => {
    hits += 1;
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  try {
    // A DNS server's answer, as a rebinding attacker would give it: the name looks harmless, the address is loopback.
    const rebinding = async () => [{ address: '127.0.0.1', family: 4 }];
    const refusing = new HttpWebhookSender({ allowPrivate: false, resolve: rebinding });
    await assert.rejects(refusing.post(request(`http://hooks.example.test:${port}/x`)), /resolves to 127\.0\.0\.1, a private or loopback address/);
    const mixed = new HttpWebhookSender({
      allowPrivate: false,
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await assert.rejects(mixed.post(request(`http://hooks.example.test:${port}/x`)), /private or loopback/);
    assert.equal(hits, 0, 'nothing reached the loopback receiver');
    const allowing = new HttpWebhookSender({ allowPrivate: true, resolve: rebinding });
    assert.deepEqual(await allowing.post(request(`http://hooks.example.test:${port}/x`)), { status: 204 });
    assert.equal(hits, 1, 'the connection went to the address the lookup checked');
    for (const s of [refusing, mixed, allowing]) s.close();
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
