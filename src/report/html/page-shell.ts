// The frame every HTML report shares: escaping, inline data and scripts, one self-contained file
// (nothing fetched at view time, so it opens by double-click and attaches to a ticket as is).
import { readAsset } from './assets.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON safe inside <script type="application/json">: `<` is escaped everywhere (so `</script>` and
 * `<!--` cannot end or confuse the element) and U+2028/U+2029 as well (older parsers' line breaks).
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script body that cannot close its own element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

export interface PageParts {
  title: string;
  /** Extra stylesheet text (uPlot's), before ours. */
  css?: string;
  body: string;
  data?: unknown;
  /** Script bodies, in order, after the data. */
  scripts?: string[];
}

/** The whole document. */
export function renderPage(p: PageParts): string {
  const data = p.data === undefined ? '' : `<script type="application/json" id="ld-data">${inlineJson(p.data)}</script>\n`;
  const scripts = (p.scripts ?? []).map((s) => `<script>${inlineScript(s)}</script>\n`).join('');
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">\n` +
    `<title>${escapeHtml(p.title)}</title>\n<style>${p.css ?? ''}\n${readAsset('page.css')}</style>\n</head>\n<body>\n${p.body}\n${data}${scripts}</body>\n</html>\n`
  );
}
