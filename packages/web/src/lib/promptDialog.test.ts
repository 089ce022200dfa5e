import { describe, expect, it } from 'vitest';
import { askText, cancelPrompt, confirmPrompt, promptInput, promptState } from './promptDialog';

const noEmpty = (value: string) => (value.trim() ? null : 'Enter a name.');

describe('the text prompt', () => {
  it('resolves with the confirmed value, or null when cancelled', async () => {
    const answer = askText({ title: 'New file', label: 'Path', value: 'src/', confirmLabel: 'Create' });
    expect(promptState).toMatchObject({ open: true, title: 'New file', value: 'src/' });
    promptInput('src/a.ts');
    await confirmPrompt();
    expect(await answer).toBe('src/a.ts');
    expect(promptState.open).toBe(false);

    const cancelled = askText({ title: 'New file', label: 'Path', confirmLabel: 'Create' });
    cancelPrompt();
    expect(await cancelled).toBeNull();
  });

  it('stays open with the validation sentence until the value is fine', async () => {
    const answer = askText({ title: 'New folder', label: 'Path', confirmLabel: 'Create', validate: noEmpty });
    expect(promptState.touched).toBe(false);
    await confirmPrompt();
    expect(promptState).toMatchObject({ open: true, touched: true, error: 'Enter a name.' });
    promptInput('docs');
    expect(promptState.error).toBeNull();
    await confirmPrompt();
    expect(await answer).toBe('docs');
  });

  it('shows what the submit answered and stays open; closes once it succeeds', async () => {
    const tried: string[] = [];
    const answer = askText({
      title: 'Rename',
      label: 'New path',
      value: 'a.txt',
      confirmLabel: 'Rename',
      submit: async (value) => {
        tried.push(value);
        return value === 'taken.txt' ? '"taken.txt" already exists.' : null;
      },
    });
    promptInput('taken.txt');
    await confirmPrompt();
    expect(promptState).toMatchObject({ open: true, error: '"taken.txt" already exists.', busy: false });
    promptInput('free.txt');
    await confirmPrompt();
    expect(await answer).toBe('free.txt');
    expect(tried).toEqual(['taken.txt', 'free.txt']);
  });

  it('a second question cancels the first', async () => {
    const first = askText({ title: 'One', label: 'x', confirmLabel: 'OK' });
    const second = askText({ title: 'Two', label: 'x', confirmLabel: 'OK' });
    expect(await first).toBeNull();
    expect(promptState.title).toBe('Two');
    cancelPrompt();
    expect(await second).toBeNull();
  });
});
