import { test, expect, shot } from './fixtures';

test('project files: open in the editor, edit and save, see outside changes, create and delete', async ({ page }) => {
  const base = process.env.E2E_BASE_URL!;
  const created = await page.request.post(`${base}/api/projects`, { data: { name: `files-${Date.now().toString(36)}` } });
  expect(created.status()).toBe(200);
  const project = (await created.json()).data;
  const put = (path: string, content: string) => page.request.put(`${base}/api/projects/${project.id}/files/${path}`, { data: { content } });
  expect((await put('src/hello.py', 'def hello():\n    return "hi"\n')).status()).toBe(200);
  expect((await put('README.md', '# Notes\n')).status()).toBe(200);

  await page.goto('/');
  await page.getByTestId('project-select').selectOption(project.id);
  await page.getByRole('link', { name: 'Files' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}/files$`));
  const tree = page.getByRole('tree', { name: 'Project files' });
  await expect(tree.getByRole('treeitem')).toHaveCount(2);
  await tree.getByRole('button', { name: 'src', exact: true }).click();
  await tree.getByRole('button', { name: 'hello.py', exact: true }).click();
  const editor = page.getByRole('textbox', { name: 'Contents of src/hello.py' });
  await expect(editor).toContainText('return "hi"');
  await expect(page.locator('.cm-editor .tok-keyword, .cm-editor [class*="ͼ"]').first()).toBeVisible();

  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('print(hello())\n');
  await expect(page.getByTitle('Unsaved changes')).toBeVisible();
  await shot(page, 'files-editor');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const saved = await (await page.request.get(`${base}/api/projects/${project.id}/files/src/hello.py`)).json();
  expect(saved.data.content).toContain('print(hello())');

  // A file written by someone else (the agent's file tools) appears without a reload.
  expect((await put('src/from_agent.txt', 'written by the agent')).status()).toBe(200);
  await expect(tree.getByRole('button', { name: 'from_agent.txt', exact: true })).toBeVisible({ timeout: 10_000 });

  page.once('dialog', (dialog) => void dialog.accept('notes/todo.md'));
  await page.getByRole('button', { name: 'New file' }).click();
  await expect(page.getByRole('textbox', { name: 'Contents of notes/todo.md' })).toBeVisible();
  await tree.getByRole('button', { name: 'Delete from_agent.txt' }).click();
  await page.getByRole('dialog', { name: 'Delete this file?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(tree.getByRole('button', { name: 'from_agent.txt', exact: true })).toHaveCount(0);
  const gone = await page.request.get(`${base}/api/projects/${project.id}/files/src/from_agent.txt`);
  expect(gone.status()).toBe(404);
});
