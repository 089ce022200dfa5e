import MarkdownIt from 'markdown-it';
import markdownItKatex from '@vscode/markdown-it-katex';
import { tasklist, type TaskListEnv } from '@mdit/plugin-tasklist';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { normaliseMathDelimiters } from './mathDelimiters';

/** Labels put into rendered HTML (the renderer is shared; the UI passes its current language). */
export interface MarkdownLabels {
  copyCode: string;
}

let labels: MarkdownLabels = { copyCode: 'Copy code' };

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

// Fenced code: a header with the language and a copy button (handled by event delegation in MarkdownView).
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const lang = token.info.trim().split(/\s+/)[0] ?? '';
  if (lang === 'math') return mathAwareFence(tokens, idx, options, env, self);
  const body = options.highlight ? options.highlight(token.content, lang, '') : md.utils.escapeHtml(token.content);
  const label = md.utils.escapeHtml(labels.copyCode);
  return (
    `<div class="code-block"><div class="code-head"><span class="code-lang">${md.utils.escapeHtml(lang || 'text')}</span>` +
    `<button type="button" class="code-copy" aria-label="${label}" title="${label}">${label}</button></div>` +
    `<pre class="hljs"><code>${body}</code></pre></div>`
  );
};

// Tables scroll on their own on narrow screens.
md.renderer.rules.table_open = () => '<div class="table-wrap"><table>';
md.renderer.rules.table_close = () => '</table></div>';

// The only form control that survives is a checkbox, and it can never be ticked by the reader.
DOMPurify.addHook('uponSanitizeElement', (node, data) => {
  if (data.tagName === 'input' && (node as Element).getAttribute?.('type')?.toLowerCase() !== 'checkbox') node.parentNode?.removeChild(node);
});
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
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
export function renderMarkdown(source: string, currentLabels?: MarkdownLabels): string {
  if (currentLabels) labels = currentLabels;
  const env: TaskListEnv = { tasklistId: nextTaskId };
  const html = md.render(normaliseMathDelimiters(source), env);
  nextTaskId = env.tasklistId;
  return DOMPurify.sanitize(html, {
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['style', 'form', 'textarea', 'select', 'iframe', 'object', 'embed'],
  });
}
