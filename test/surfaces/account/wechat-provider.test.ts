// --kind wechat against a local server that answers as WeChat documents its website login (网站应用微信登录;
// these machines reach no provider): /connect/qrconnect (here the person has scanned and approved at once: a
// redirect with code and state; declining sends the state alone), /sns/oauth2/access_token (its
// {"errcode": 40029, "errmsg": "invalid code"} for a bad code, answered with status 200 as WeChat does) and
// /sns/userinfo. The base is the provider's --issuer: a test names its own; WeChat's is the default.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { chromiumPath } from '../../helpers/browser.ts';
import { type ProviderBed, pressProvider, startProviderBed } from '../../helpers/provider-bed.ts';
import type { TestServer } from '../../helpers/test-server.ts';

const executablePath = chromiumPath();
const APPID = 'wx1234567890abcdef';
const SECRET = 'wechat-app-secret';

describe('--kind wechat', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let wechat: Server;
  let issuer: string;
  let bed: ProviderBed;
  let gatehouse: TestServer;
  /** What the fake WeChat does next. */
  let next: 'approve' | 'bad-code' | 'decline' = 'approve';
  /** Whether the app is bound to an Open Platform account (then WeChat names the unionid). */
  let bound = true;
  let openid = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';
  const seen: { authorize?: URL } = {};

  before(async () => {
    wechat = createServer((req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      // WeChat labels its JSON text/plain.
      const answer = (body: unknown) => res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(body));
      if (url.pathname === '/connect/qrconnect') {
        seen.authorize = url;
        const back = new URL(url.searchParams.get('redirect_uri')!);
        if (next !== 'decline') back.searchParams.set('code', next === 'approve' ? '081good' : '081stale');
        back.searchParams.set('state', url.searchParams.get('state')!);
        return res.writeHead(302, { location: back.href }).end();
      }
      if (url.pathname === '/sns/oauth2/access_token') {
        const q = url.searchParams;
        if (q.get('appid') !== APPID || q.get('secret') !== SECRET) return answer({ errcode: 40125, errmsg: 'invalid appsecret' });
        if (q.get('code') !== '081good' || q.get('grant_type') !== 'authorization_code') return answer({ errcode: 40029, errmsg: 'invalid code' });
        return answer({
          access_token: 'ACCESS_TOKEN',
          expires_in: 7200,
          refresh_token: 'REFRESH_TOKEN',
          openid,
          scope: 'snsapi_login',
          ...(bound ? { unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' } : {}),
        });
      }
      if (url.pathname === '/sns/userinfo') {
        if (url.searchParams.get('access_token') !== 'ACCESS_TOKEN') return answer({ errcode: 40001, errmsg: 'invalid credential' });
        return answer({
          openid: url.searchParams.get('openid'),
          nickname: '小明',
          sex: 1,
          province: '广东',
          city: '深圳',
          country: 'CN',
          headimgurl: 'https://thirdwx.qlogo.cn/mmopen/0',
          privilege: [],
          ...(bound ? { unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' } : {}),
        });
      }
      return answer({ errcode: 40066, errmsg: 'invalid url' });
    });
    bed = await startProviderBed(
      wechat,
      (at) => ({ id: 'wechat', kind: 'wechat', name: 'WeChat', issuer: at, clientId: APPID, clientSecret: SECRET }),
      executablePath!,
    );
    issuer = bed.issuer;
    gatehouse = bed.gatehouse;
  });
  after(() => bed?.close());

  const viaWeChat = () => pressProvider(bed, 'WeChat', (r) => r.url().includes('/idp/wechat/callback'));

  const linked = () => gatehouse.stores.identities.identity(issuer, 'o6_bmasdasdsad6_2sgVt7hMZOPfL');

  test('a first sign-in makes an account keyed by the unionid (no email, the nickname as its name); a second returns to it', async () => {
    next = 'approve';
    bound = true;
    assert.equal((await viaWeChat()).heading, 'Your account');
    const authorize = seen.authorize!;
    assert.equal(authorize.searchParams.get('appid'), APPID);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('scope'), 'snsapi_login');
    assert.ok(authorize.searchParams.get('state'));
    const identity = (await linked())!;
    assert.ok(identity, 'linked by issuer and unionid');
    const user = (await gatehouse.core.accounts.findById(identity.userId))!;
    assert.equal(user.email, null, 'WeChat gives no email');
    assert.equal(user.fullName, '小明');
    // Another of the Open Platform account's apps gives another openid; the unionid keeps the account.
    openid = 'o9_another_app_openid';
    assert.equal((await viaWeChat()).heading, 'Your account');
    assert.equal((await linked())!.userId, identity.userId);
    assert.equal((await gatehouse.core.identities.identitiesOf(identity.userId)).length, 1);
  });

  test('an app not bound to an Open Platform account (no unionid) is refused, with a page naming the fix and a reason in the audit', async () => {
    next = 'approve';
    bound = false;
    const { heading, text } = await viaWeChat();
    bound = true;
    assert.equal(heading, 'Sign in to your account');
    assert.match(text, /WeChat Open Platform account/);
    const failed = await gatehouse.stores.audit.query({ limit: 50, type: 'login.failed' });
    assert.ok(
      failed.some((e) => e.detail?.includes('identity provider wechat') && e.detail.includes('no unionid')),
      'the audit says why',
    );
    assert.equal(await gatehouse.stores.identities.identity(issuer, openid), null, 'nobody was keyed by an openid');
  });

  test("WeChat's error answers are pages, not 500s: errcode 40029 for the code, the person declining", async () => {
    for (const answer of ['bad-code', 'decline'] as const) {
      next = answer;
      const { heading, text } = await viaWeChat();
      assert.equal(heading, 'Sign in to your account', answer);
      assert.match(text, /could not be completed/, answer);
    }
    next = 'approve';
    const failed = await gatehouse.stores.audit.query({ limit: 50, type: 'login.failed' });
    assert.ok(
      failed.some((e) => e.detail?.includes('errcode 40029')),
      "the audit names WeChat's errcode",
    );
  });

  test('providers add --kind wechat needs the AppSecret and defaults to WeChat as the issuer', async () => {
    await assert.rejects(
      gatehouse.core.identities.add({ id: 'wx2', kind: 'wechat', name: 'WeChat', issuer: '', clientId: APPID, clientSecret: null }),
      (e: { code?: string; field?: string }) => e.code === 'VALIDATION_FAILED' && e.field === 'client_secret',
    );
    const added = await gatehouse.core.identities.add({ id: 'wx2', kind: 'wechat', name: 'WeChat', issuer: '', clientId: APPID, clientSecret: SECRET });
    assert.equal(added.issuer, 'https://open.weixin.qq.com');
    await gatehouse.core.identities.remove('wx2');
  });
});
