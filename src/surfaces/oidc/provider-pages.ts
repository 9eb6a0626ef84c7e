import type { KoaContextWithOIDC } from 'oidc-provider';
import { OIDC } from '../../texts/oidc.ts';
import { chooseLang } from '../shared/html/lang.ts';
import { PAGE_CSP } from '../shared/html/reply.ts';
import type { Html } from '../shared/html/template.ts';
import { PAGE_HEADERS } from '../shared/http-hardening.ts';
import type { OidcPages } from './provider.ts';
import { logoutPage, messagePage } from './views.ts';

/**
 * The pages' CSP, with the origins a form on this page may end up at: after
 * sign-in or consent the provider redirects the browser to the app, and
 * browsers hold that redirect to form-action.
 */
export function cspAllowing(...urls: unknown[]): string {
  const origins = new Set<string>();
  for (const url of urls) {
    if (typeof url !== 'string') continue;
    try {
      origins.add(new URL(url).origin);
    } catch {}
  }
  return PAGE_CSP.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' '));
}

/** The provider's own pages (logout, logged out, errors), written into its Koa context in the page kit's look. */
export function providerPages(): OidcPages {
  const lang = (ctx: KoaContextWithOIDC) => chooseLang(ctx.req.headers['accept-language'], undefined);
  const send = (ctx: KoaContextWithOIDC, body: Html, csp = PAGE_CSP) => {
    for (const [name, value] of Object.entries({ ...PAGE_HEADERS, 'content-security-policy': csp, 'cache-control': 'no-store' })) ctx.set(name, value);
    ctx.type = 'html';
    ctx.body = body.toString();
  };
  return {
    async logout(ctx, form) {
      const l = lang(ctx);
      send(ctx, logoutPage(l, OIDC[l], form), cspAllowing(ctx.oidc.params?.post_logout_redirect_uri));
    },
    async loggedOut(ctx) {
      const l = lang(ctx);
      send(ctx, messagePage(l, 'ok', OIDC[l].loggedOutTitle, OIDC[l].loggedOutText));
    },
    async error(ctx, out) {
      const l = lang(ctx);
      send(ctx, messagePage(l, 'error', OIDC[l].errorTitle, OIDC[l].errorText, out.error));
    },
  };
}
