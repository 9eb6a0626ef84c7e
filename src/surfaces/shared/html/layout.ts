import type { Lang } from './lang.ts';

/** Text for HTML: every page value goes through this. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A whole page: no inline script or style, so a strict Content-Security-Policy
 * holds. `scripts` names extra files from the asset list (assets.ts) that a page
 * needs beyond the shared one (the passkey ceremonies).
 */
export function page(lang: Lang, title: string, main: string, scripts: readonly string[] = []): string {
  const extra = scripts.map((name) => `\n<script src="/assets/${escapeHtml(name)}" defer></script>`).join('');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Gatehouse</title>
<link rel="stylesheet" href="/assets/pages.css">
<script src="/assets/pages.js" defer></script>${extra}
</head>
<body>
<main class="card">
${main}
</main>
</body>
</html>
`;
}
