import MarkdownIt from 'markdown-it';
import markdownItKatex from '@vscode/markdown-it-katex';
import { tasklist, type TaskListEnv } from '@mdit/plugin-tasklist';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { normaliseMathDelimiters } from './mathDelimiters';

/** Labels put into rendered HTML (the renderer is shared; the UI passes its current language). */
export interface MarkdownLabels {
  copyCode: string;
  /** The placeholder of an image on another site; `{host}` stands for its host. */
  loadImage: string;
}

let labels: MarkdownLabels = { copyCode: 'Copy code', loadImage: 'Image from {host} — click to load' };

/*
 * Model output is untrusted: a prompt-injected page can make the model write any HTML. Raw HTML keeps no
 * `style` or `class` (it cannot dress up as the page, cover it, or hide text), images and media from other
 * sites are not loaded until the reader asks (an image URL can carry data out), and links show where
 * they really go. The renderer's own markup (code blocks, KaTeX, tables) is marked with a token that is
 * new on every render, so model text can never claim it.
 */
const TRUST_ATTR = 'data-nc-trust';
let trustToken = '';
/** Elements whose own attributes, and everything inside, the renderer wrote. */
let trustedRoots = new WeakSet<Node>();
/** Classes of the task-list plugin: harmless whoever writes them. */
const TASK_LIST_CLASSES = new Set(['task-list-item', 'contains-task-list', 'task-list-item-checkbox', 'task-list-item-label']);

function newTrustToken(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `subtree`: the element and everything inside it are the renderer's; `self`: only the element itself. */
const trustMark = (scope: 'subtree' | 'self') => `${TRUST_ATTR}="${trustToken}${scope === 'self' ? ':self' : ''}"`;

function insideTrusted(node: Element): boolean {
  for (let at: Node | null = node; at; at = at.parentNode) if (trustedRoots.has(at)) return true;
  return false;
}

const md: MarkdownIt = new MarkdownIt({
  html: true, // raw HTML is allowed in answers and then sanitised below
  linkify: true,
  breaks: false,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : '';
    try {
      return language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : md.utils.escapeHtml(code);
    } catch {
      return md.utils.escapeHtml(code);
    }
  },
});
// The plugin is CommonJS with an `exports.default`; bundlers differ on which one a default import gets.
const katexPlugin = ((markdownItKatex as unknown as { default?: typeof markdownItKatex }).default ?? markdownItKatex) as typeof markdownItKatex;
md.use(katexPlugin, { throwOnError: false, enableFencedBlocks: true });
// GFM task lists (`- [ ] todo`, `- [x] done`): a disabled checkbox labelled by the item's text.
md.use(tasklist, { disabled: true, label: true });
const mathAwareFence = md.renderer.rules.fence!;
// KaTeX's markup (classes and inline sizes) is the renderer's own.
for (const [name, rule] of Object.entries(md.renderer.rules)) {
  if (!name.startsWith('math') || !rule) continue;
  const block = name.includes('block');
  md.renderer.rules[name] = (...args) => `<${block ? 'div' : 'span'} ${trustMark('subtree')}>${rule(...args)}</${block ? 'div' : 'span'}>`;
}

// Fenced code: a header with the language and a copy button (handled by event delegation in MarkdownView).
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const lang = token.info.trim().split(/\s+/)[0] ?? '';
  if (lang === 'math') return mathAwareFence(tokens, idx, options, env, self);
  const body = options.highlight ? options.highlight(token.content, lang, '') : md.utils.escapeHtml(token.content);
  const label = md.utils.escapeHtml(labels.copyCode);
  return (
    `<div class="code-block" ${trustMark('subtree')}><div class="code-head"><span class="code-lang">${md.utils.escapeHtml(lang || 'text')}</span>` +
    `<button type="button" class="code-copy" aria-label="${label}" title="${label}">${label}</button></div>` +
    `<pre class="hljs"><code>${body}</code></pre></div>`
  );
};

// Tables scroll on their own on narrow screens.
md.renderer.rules.table_open = () => `<div class="table-wrap" ${trustMark('self')}><table>`;
md.renderer.rules.table_close = () => '</table></div>';

// The only form control that survives is a checkbox, and it can never be ticked by the reader.
DOMPurify.addHook('uponSanitizeElement', (node, data) => {
  if (data.tagName === 'input' && (node as Element).getAttribute?.('type')?.toLowerCase() !== 'checkbox') node.parentNode?.removeChild(node);
});
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  const trust = node.getAttribute(TRUST_ATTR);
  if (trust !== null) {
    node.removeAttribute(TRUST_ATTR);
    if (trust === trustToken) trustedRoots.add(node);
    else if (trust === `${trustToken}:self`) return;
  }
  if (!insideTrusted(node)) {
    node.removeAttribute('style');
    const kept = [...node.classList].filter((name) => TASK_LIST_CLASSES.has(name));
    if (kept.length) node.setAttribute('class', kept.join(' '));
    else node.removeAttribute('class');
  }
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  if (node.tagName === 'INPUT') {
    for (const name of ['name', 'value', 'form', 'formaction', 'autofocus']) node.removeAttribute(name);
    node.setAttribute('disabled', '');
  }
});

/** Ids of task-list checkboxes stay unique across every answer on the page (labels point at them). */
let nextTaskId = 0;

/** Markdown (GFM tables and task lists, code, KaTeX math) to sanitised HTML: scripts, handlers and `javascript:` URLs never survive. */
export function renderMarkdown(source: string, currentLabels?: MarkdownLabels, loadedImages: ReadonlySet<string> = new Set()): string {
  if (currentLabels) labels = currentLabels;
  trustToken = newTrustToken();
  trustedRoots = new WeakSet();
  const env: TaskListEnv = { tasklistId: nextTaskId };
  const html = md.render(normaliseMathDelimiters(source), env);
  nextTaskId = env.tasklistId;
  const fragment = DOMPurify.sanitize(html, {
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['style', 'form', 'textarea', 'select', 'iframe', 'object', 'embed', 'audio', 'video', 'source', 'track', 'picture'],
    FORBID_ATTR: ['srcset', 'background', 'poster'],
    RETURN_DOM_FRAGMENT: true,
  });
  holdRemoteImages(fragment, loadedImages);
  showLinkTargets(fragment);
  const root = document.createElement('div');
  root.append(fragment);
  return root.innerHTML;
}

/** An absolute http(s) URL on another site, or null. */
function remoteUrl(value: string | null): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value, document.baseURI);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== window.location.origin ? url : null;
  } catch {
    return null;
  }
}

/**
 * Images on other sites become a button naming the site; the image loads once the reader clicks it
 * (`loadedImages`, kept by MarkdownView), and then without a referrer.
 */
function holdRemoteImages(root: DocumentFragment, loadedImages: ReadonlySet<string>): void {
  for (const img of root.querySelectorAll('img')) {
    const url = remoteUrl(img.getAttribute('src'));
    if (!url) continue;
    if (loadedImages.has(url.href)) {
      img.setAttribute('referrerpolicy', 'no-referrer');
      continue;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'remote-image';
    button.dataset.src = url.href;
    const alt = img.getAttribute('alt');
    if (alt) button.dataset.alt = alt;
    button.title = url.href;
    button.textContent = labels.loadImage.replace('{host}', url.host);
    img.replaceWith(button);
  }
}

/** A link whose text is not its address says where it goes: the whole address on hover, its site beside it. */
function showLinkTargets(root: DocumentFragment): void {
  for (const link of root.querySelectorAll('a[href]')) {
    const url = remoteUrl(link.getAttribute('href'));
    if (!url) continue;
    link.setAttribute('title', url.href);
    const text = (link.textContent ?? '').trim();
    if (text === url.href || text === link.getAttribute('href') || text.replace(/^https?:\/\//, '').replace(/\/$/, '') === `${url.host}${url.pathname}${url.search}${url.hash}`.replace(/\/$/, '')) continue;
    const host = document.createElement('span');
    host.className = 'link-host';
    host.textContent = ` (${url.host})`;
    link.after(host);
  }
}

/** Rendered answers kept for re-use: a message scrolled out of the long list and back is not rendered again. */
const RENDER_CACHE_SIZE = 400;
const renderCache = new Map<string, string>();

/**
 * renderMarkdown for a finished text, remembered by its source and labels (the most recent
 * RENDER_CACHE_SIZE of them). Not for a text with task-list checkboxes (their ids must differ from one
 * answer to another) or with images the reader chose to load.
 */
export function renderMarkdownCached(source: string, currentLabels: MarkdownLabels): string {
  const key = `${currentLabels.copyCode}\u0000${currentLabels.loadImage}\u0000${source}`;
  const cached = renderCache.get(key);
  if (cached !== undefined) {
    renderCache.delete(key);
    renderCache.set(key, cached);
    return cached;
  }
  const html = renderMarkdown(source, currentLabels);
  if (html.includes('task-list-item-checkbox')) return html;
  renderCache.set(key, html);
  if (renderCache.size > RENDER_CACHE_SIZE) renderCache.delete(renderCache.keys().next().value!);
  return html;
}
