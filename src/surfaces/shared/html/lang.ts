import type { FastifyRequest } from 'fastify';

/** The languages the pages speak, chosen from Accept-Language (or `?lang=`). */
export type Lang = 'zh' | 'en';

/** `?lang=` first, then the most preferred of zh / en in Accept-Language; English otherwise. */
export function chooseLang(accept: string | undefined, query: unknown): Lang {
  if (query === 'zh' || query === 'en') return query;
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (accept ?? '').split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    );
    const lang = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && !Number.isNaN(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/** The language of one request's page. */
export function requestLang(request: FastifyRequest): Lang {
  return chooseLang(request.headers['accept-language'], (request.query as { lang?: string } | undefined)?.lang);
}
