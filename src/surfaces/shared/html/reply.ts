import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS } from '../http-hardening.ts';
import type { Html } from './template.ts';

/** The pages run only their own scripts and style, and post only to themselves. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A page's headers: helmet's full set for HTML documents, the strict CSP, never cached. */
const HTML_HEADERS = { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' };

/** Sends one page (the page kit's Html) with the pages' headers; `csp` widens form-action where a page's forms end at an app. */
export function sendPage(reply: FastifyReply, status: number, body: Html, csp?: string) {
  return reply
    .code(status)
    .headers(csp ? { ...HTML_HEADERS, 'content-security-policy': csp } : HTML_HEADERS)
    .send(body.toString());
}
