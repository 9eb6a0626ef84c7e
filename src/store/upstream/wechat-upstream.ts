import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import { type UpstreamClientConfig, type UpstreamProtocol, type UpstreamSecrets, UpstreamUnkeyed } from '../../core/ports/upstream.ts';

/** How long a call to WeChat's API may take. */
const API_TIMEOUT_MS = 10_000;
/** WeChat's own issuer: the QR-code page on open.weixin.qq.com, the API on api.weixin.qq.com. */
const WECHAT = 'https://open.weixin.qq.com';

/**
 * `--kind wechat`: WeChat's website login (网站应用微信登录). The QR-code page
 * `/connect/qrconnect` (scope snsapi_login, with state), the code exchanged at
 * `/sns/oauth2/access_token` with the AppID and AppSecret, the profile from
 * `/sns/userinfo`. WeChat gives no email. The identity is keyed by `unionid`,
 * the same across the apps of one WeChat Open Platform account (`openid` is
 * per app): without it the sign-in is refused. WeChat answers errors as 200
 * with `{errcode, errmsg}`. The issuer is https://open.weixin.qq.com (the API
 * at api.weixin.qq.com); any other issuer (a test, a proxy) serves both the
 * page and the API under itself.
 */
export class WeChatUpstream implements UpstreamProtocol {
  async authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL> {
    const url = new URL(`${base(config)}/connect/qrconnect`);
    url.searchParams.set('appid', config.provider.clientId);
    url.searchParams.set('redirect_uri', config.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'snsapi_login');
    url.searchParams.set('state', secrets.state);
    url.hash = 'wechat_redirect';
    return url;
  }

  async finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity> {
    if (callback.searchParams.get('state') !== secrets.state) throw new Error('the state does not match');
    // A person who says no comes back with the state and no code.
    const code = callback.searchParams.get('code');
    if (!code) throw new Error('the callback carries no code (the person declined)');
    const token = (await api(config, '/sns/oauth2/access_token', {
      appid: config.provider.clientId,
      secret: config.clientSecret ?? '',
      code,
      grant_type: 'authorization_code',
    })) as { access_token?: unknown; openid?: unknown; unionid?: unknown };
    if (typeof token.access_token !== 'string' || typeof token.openid !== 'string') throw new Error('WeChat answered no access_token or openid');
    const user = (await api(config, '/sns/userinfo', { access_token: token.access_token, openid: token.openid })) as {
      nickname?: unknown;
      unionid?: unknown;
    };
    const unionid = typeof token.unionid === 'string' && token.unionid ? token.unionid : typeof user.unionid === 'string' && user.unionid ? user.unionid : null;
    if (!unionid) throw new UpstreamUnkeyed('WeChat answered no unionid: bind the app to a WeChat Open Platform account');
    return {
      issuer: base(config),
      subject: unionid,
      email: null,
      emailVerified: false,
      amr: [],
      name: typeof user.nickname === 'string' && user.nickname.trim() ? user.nickname.trim().slice(0, 200) : null,
    };
  }

  async verifyIdToken(): Promise<ProvedIdentity> {
    throw new Error('WeChat issues no id_token: native apps sign in through the pages');
  }
}

const base = (config: UpstreamClientConfig) => config.provider.issuer.replace(/\/+$/, '');
const apiBase = (config: UpstreamClientConfig) => (base(config) === WECHAT ? 'https://api.weixin.qq.com' : base(config));

/** A GET of WeChat's API; its `{errcode, errmsg}` (40029 invalid code, 40163 code used, 40125 bad secret...) thrown. */
async function api(config: UpstreamClientConfig, path: string, query: Record<string, string>): Promise<unknown> {
  const response = await fetch(`${apiBase(config)}${path}?${new URLSearchParams(query)}`, { signal: AbortSignal.timeout(API_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`WeChat's ${path} answered ${response.status}`);
  // WeChat answers JSON, at times labelled text/plain.
  const body = JSON.parse(await response.text()) as { errcode?: unknown };
  if (typeof body.errcode === 'number' && body.errcode !== 0) throw new Error(`WeChat's ${path} answered errcode ${body.errcode}`);
  return body;
}
