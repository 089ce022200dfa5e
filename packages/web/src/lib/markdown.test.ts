// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

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
