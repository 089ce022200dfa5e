import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, shot, simUrl } from './fixtures';

const base = () => process.env.E2E_BASE_URL!;

async function newProject(request: APIRequestContext, files: Record<string, string> = {}): Promise<{ id: string; name: string }> {
  const created = await request.post(`${base()}/api/projects`, { data: { name: `files-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}` } });
  expect(created.status()).toBe(200);
  const project = (await created.json()).data;
  for (const [path, content] of Object.entries(files)) expect((await putFile(request, project.id, path, content)).status()).toBe(200);
  return project;
}

const putFile = (request: APIRequestContext, projectId: string, path: string, content: string) =>
  request.put(`${base()}/api/projects/${projectId}/files/${path}`, { data: { content } });

/** A folder on disk to upload, as a person would pick or drag it. */
function folderOnDisk(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nc-e2e-upload-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Drags files or folders from the desktop onto a point of the page (a real drop: the browser reads them from disk). */
async function dropFromDesktop(page: Page, paths: string[], x: number, y: number, options: { release?: boolean } = {}): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x, y, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x, y, data });
  if (options.release !== false) await cdp.send('Input.dispatchDragEvent', { type: 'drop', x, y, data });
}

async function centreOf(page: Page, locator: ReturnType<Page['locator']>): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Has the simulator call one tool and then answer; the run goes through the real server. */
async function agentCalls(request: APIRequestContext, projectId: string, tool: string, args: object): Promise<void> {
  const scripted = await request.post(`${simUrl()}/_sim/script`, {
    data: { responses: [{ kind: 'stream', toolCalls: [{ name: tool, arguments: JSON.stringify(args) }] }, { kind: 'stream', content: 'Done.' }] },
  });
  expect(scripted.status()).toBe(200);
  const conversation = (await (await request.post(`${base()}/api/conversations`, { data: { model: 'text', project_id: projectId } })).json()).data;
  const run = await request.post(`${base()}/api/conversations/${conversation.id}/messages`, { data: { text: `please use ${tool}` } });
  expect(run.status()).toBe(200);
  expect(await run.text()).toContain('event: done');
}

const tree = (page: Page) => page.getByRole('tree', { name: 'Project files' });
const treeButton = (page: Page, name: string) => tree(page).getByRole('button', { name, exact: true });

test('project files: open in the editor, edit and save, see outside changes, create and delete', async ({ page }) => {
  const project = await newProject(page.request, { 'src/hello.py': 'def hello():\n    return "hi"\n', 'README.md': '# Notes\n' });

  await page.goto('/');
  await page.getByTestId('project-select').selectOption(project.id);
  await page.getByRole('link', { name: 'Files' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}/files$`));
  await expect(tree(page).getByRole('treeitem')).toHaveCount(2);
  await treeButton(page, 'src').click();
  await treeButton(page, 'hello.py').click();
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
  const saved = await (await page.request.get(`${base()}/api/projects/${project.id}/files/src/hello.py`)).json();
  expect(saved.data.content).toContain('print(hello())');
  // The save's own change event coming back is no news: no notice, nothing unsaved.
  await expect(page.getByTitle('Unsaved changes')).toHaveCount(0);

  // A file written by someone else (another tab, through the API) appears without a reload.
  expect((await putFile(page.request, project.id, 'src/from_api.txt', 'written elsewhere')).status()).toBe(200);
  await expect(treeButton(page, 'from_api.txt')).toBeVisible();

  await tree(page).getByRole('button', { name: 'Delete from_api.txt' }).click();
  await page.getByRole('dialog', { name: 'Delete this file?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(treeButton(page, 'from_api.txt')).toHaveCount(0);
  expect((await page.request.get(`${base()}/api/projects/${project.id}/files/src/from_api.txt`)).status()).toBe(404);
});

test('new folder, new file and rename in the dialog, with the keyboard only', async ({ page }) => {
  const project = await newProject(page.request, { 'README.md': '# Notes\n' });
  await page.goto(`/projects/${project.id}/files`);
  await expect(tree(page).getByRole('treeitem')).toHaveCount(1);

  await page.getByRole('button', { name: 'New folder' }).focus();
  await page.keyboard.press('Enter');
  const folderDialog = page.getByRole('dialog', { name: 'New folder' });
  await expect(folderDialog).toBeVisible();
  const folderPath = folderDialog.getByRole('textbox', { name: 'Path of the new folder, inside the project' });
  await expect(folderPath).toBeFocused();
  await page.keyboard.type('notes');
  await page.keyboard.press('Enter');
  await expect(folderDialog).toBeHidden();
  await expect(treeButton(page, 'notes')).toBeVisible();

  // The new file starts in the folder just made; a path leading outside is refused inline.
  await page.getByRole('button', { name: 'New file' }).focus();
  await page.keyboard.press('Enter');
  const fileDialog = page.getByRole('dialog', { name: 'New file' });
  const filePath = fileDialog.getByRole('textbox', { name: 'Path of the new file, inside the project' });
  await expect(filePath).toBeFocused();
  await expect(filePath).toHaveValue('notes/');
  await page.keyboard.type('../../outside.md');
  await expect(fileDialog.getByRole('alert')).toHaveText('“..” is not allowed: the path has to stay inside the project.');
  await expect(filePath).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Enter');
  await expect(fileDialog).toBeVisible();

  // Focus stays inside the dialog: Tab goes round its field and two buttons.
  await page.keyboard.press('Tab');
  await expect(fileDialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(fileDialog.getByRole('button', { name: 'Create' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(filePath).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(fileDialog.getByRole('button', { name: 'Create' })).toBeFocused();
  await shot(page, 'files-dialog-invalid');

  await filePath.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('notes/todo.md');
  await expect(fileDialog.getByRole('alert')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(fileDialog).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Contents of notes/todo.md' })).toBeVisible();
  await expect(treeButton(page, 'todo.md')).toBeVisible();

  // Creating it again is refused by the server, in the dialog, and the existing file is kept.
  await putFile(page.request, project.id, 'notes/todo.md', 'keep me');
  await page.getByRole('button', { name: 'New file' }).focus();
  await page.keyboard.press('Enter');
  await expect(filePath).toHaveValue('notes/');
  await page.keyboard.type('todo.md');
  await page.keyboard.press('Enter');
  await expect(fileDialog.getByRole('alert')).toHaveText('"notes/todo.md" already exists. Choose another name.');
  await page.keyboard.press('Escape');
  await expect(fileDialog).toBeHidden();
  expect((await (await page.request.get(`${base()}/api/projects/${project.id}/files/notes/todo.md`)).json()).data.content).toBe('keep me');

  // Rename: the name (not its folder or extension) is selected, so typing replaces just that.
  await tree(page).getByRole('button', { name: 'Rename todo.md' }).focus();
  await page.keyboard.press('Enter');
  const renameDialog = page.getByRole('dialog', { name: 'Rename or move “todo.md”' });
  const newPath = renameDialog.getByRole('textbox', { name: 'New path, inside the project' });
  await expect(newPath).toBeFocused();
  await expect(newPath).toHaveValue('notes/todo.md');
  await page.keyboard.press('Enter');
  await expect(renameDialog.getByRole('alert')).toHaveText('That is the current path. Type a new one.');
  await page.keyboard.type('plan');
  await expect(newPath).toHaveValue('notes/plan.md');
  await shot(page, 'files-dialog-rename');
  await page.keyboard.press('Enter');
  await expect(renameDialog).toBeHidden();
  await expect(treeButton(page, 'plan.md')).toBeVisible();
  await expect(treeButton(page, 'todo.md')).toHaveCount(0);
  // The open file follows its new name.
  await expect(page.getByRole('textbox', { name: 'Contents of notes/plan.md' })).toBeVisible();
  expect((await page.request.get(`${base()}/api/projects/${project.id}/files/notes/plan.md`)).status()).toBe(200);

  // Escape cancels and changes nothing.
  await tree(page).getByRole('button', { name: 'Rename plan.md' }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.type('other');
  await page.keyboard.press('Escape');
  await expect(renameDialog).toBeHidden();
  await expect(treeButton(page, 'plan.md')).toBeVisible();
});

test('upload a folder with the button and by dropping it on a folder, with progress; open what arrived', async ({ page }) => {
  const project = await newProject(page.request, { 'docs/readme.md': '# Docs\n' });
  const site = folderOnDisk({ 'site/index.html': '<h1>Hello</h1>\n', 'site/css/main.css': 'h1 { color: teal; }\n', 'site/js/app.js': 'export const answer = 42;\n' });
  mkdirSync(join(site, 'site', 'logs')); // an empty folder: a drop brings it along (a folder pick cannot)
  await page.goto(`/projects/${project.id}/files`);
  await expect(treeButton(page, 'docs')).toBeVisible();

  // Hold the upload on its way to see it in progress, then let it through.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/projects/*/upload*', async (route) => {
    await held;
    await route.continue();
  });
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload a folder into the project folder' }).click();
  await (await chooser).setFiles(join(site, 'site'));
  const progress = page.getByRole('status').filter({ hasText: 'Uploading 3 files into the project folder…' });
  await expect(progress).toBeVisible();
  await expect(progress.getByRole('progressbar', { name: 'Upload progress' })).toBeVisible();
  await shot(page, 'files-upload-progress');
  release();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded 3 files into the project folder.' })).toBeVisible();
  await expect(progress).toHaveCount(0);
  await page.unroute('**/api/projects/*/upload*');

  // The uploaded folder opens in the tree.
  await expect(tree(page).locator('[data-path="site"]')).toHaveAttribute('aria-expanded', 'true');
  await treeButton(page, 'css').click();
  await treeButton(page, 'main.css').click();
  await expect(page.getByRole('textbox', { name: 'Contents of site/css/main.css' })).toContainText('color: teal');

  // Drop the same folder from the desktop onto "docs": it lands in docs/site, paths kept.
  const docsRow = tree(page).locator('[data-path="docs"]');
  const point = await centreOf(page, docsRow);
  await dropFromDesktop(page, [join(site, 'site')], point.x, point.y, { release: false });
  await expect(page.getByText('Drop to upload into “docs”')).toBeVisible();
  await shot(page, 'files-drop');
  await dropFromDesktop(page, [join(site, 'site')], point.x, point.y);
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded 3 files into “docs”.' })).toBeVisible();
  const docs = await (await page.request.get(`${base()}/api/projects/${project.id}/files?path=docs/site/js`)).json();
  expect(docs.data.items.map((item: { path: string }) => item.path)).toEqual(['docs/site/js/app.js']);
  await expect(tree(page).locator('[data-path="docs/site/index.html"]')).toBeVisible();
  await expect(tree(page).locator('[data-path="docs/site/logs"]')).toBeVisible();
  const dropped = await (await page.request.get(`${base()}/api/projects/${project.id}/files?path=docs/site`)).json();
  expect(dropped.data.items.map((item: { path: string }) => item.path)).toContain('docs/site/logs');
  await shot(page, 'files-dropped-with-empty-folder');

  // Dropping it there again would replace files: asked first, then replaced.
  await dropFromDesktop(page, [join(site, 'site')], point.x, point.y);
  const replace = page.getByRole('dialog', { name: 'Replace existing files?' });
  await expect(replace).toContainText('3 files of the upload already exist in the project: ');
  await expect(replace).toContainText('"docs/site/css/main.css"');
  await replace.getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded 3 files into “docs”.' })).toBeVisible();
});

test('upload errors are shown as the server words them, and a cancelled upload changes nothing', async ({ page }) => {
  const project = await newProject(page.request, { 'site/keep.txt': 'keep\n' });
  const loose = folderOnDisk({ site: 'a file named like the folder\n', 'other.txt': 'other\n' });
  await page.goto(`/projects/${project.id}/files`);
  await expect(treeButton(page, 'site')).toBeVisible();

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files into the project folder' }).click();
  await (await chooser).setFiles([join(loose, 'site'), join(loose, 'other.txt')]);
  await expect(page.getByRole('alert')).toHaveText('The project has a folder at "site", where the upload has a file.');
  expect((await page.request.get(`${base()}/api/projects/${project.id}/files/other.txt`)).status()).toBe(404);

  await page.route('**/api/projects/*/upload*', () => {
    /* never answered: the upload stays in flight until it is cancelled */
  });
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files into the project folder' }).click();
  await (await again).setFiles([join(loose, 'other.txt')]);
  await page.getByRole('button', { name: 'Cancel upload' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Upload cancelled; nothing was changed.' })).toBeVisible();
  await page.unroute('**/api/projects/*/upload*');
  expect((await page.request.get(`${base()}/api/projects/${project.id}/files/other.txt`)).status()).toBe(404);
});

test('the agent writes files during a chat run: the open explorer shows them live, and unsaved edits are never overwritten', async ({ page }) => {
  const project = await newProject(page.request, { 'report.md': 'v1\n' });
  const feed = page.waitForRequest((request) => request.url().endsWith(`/api/projects/${project.id}/file-events`));
  await page.goto(`/projects/${project.id}/files`);
  await feed;
  await treeButton(page, 'report.md').click();
  const editor = page.getByRole('textbox', { name: 'Contents of report.md' });
  await expect(editor).toHaveText('v1');

  await agentCalls(page.request, project.id, 'file_write', { path: 'agent/notes.txt', content: 'written by the agent' });
  await expect(treeButton(page, 'agent')).toBeVisible();

  // The open file, without unsaved edits, takes the agent's version.
  await agentCalls(page.request, project.id, 'file_write', { path: 'report.md', content: 'v2 by the agent\n' });
  await expect(editor).toHaveText('v2 by the agent');
  await expect(page.getByTitle('Unsaved changes')).toHaveCount(0);

  // With unsaved edits: a notice, and the edits stay until the person chooses.
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('my own line');
  await agentCalls(page.request, project.id, 'file_write', { path: 'report.md', content: 'v3 by the agent\n' });
  const notice = page.getByRole('alert').filter({ hasText: '“report.md” was changed on disk (by the agent or in another tab) while you have unsaved edits.' });
  await expect(notice).toBeVisible();
  await expect(editor).toContainText('my own line');
  await shot(page, 'files-disk-notice');
  await notice.getByRole('button', { name: 'Load the new version' }).click();
  await expect(editor).toHaveText('v3 by the agent');
  await expect(notice).toHaveCount(0);

  // Deleted by the agent while open: said so, and Save would bring it back.
  await agentCalls(page.request, project.id, 'file_delete', { path: 'report.md' });
  await expect(treeButton(page, 'report.md')).toHaveCount(0);
  const gone = page.getByRole('alert').filter({ hasText: '“report.md” was deleted on disk. Save to create it again, or close it.' });
  await expect(gone).toBeVisible();
  await gone.getByRole('button', { name: 'Close file' }).click();
  await expect(editor).toHaveCount(0);
});

test('the change feed reconnects after it drops and catches up on what it missed', async ({ page }) => {
  const project = await newProject(page.request, { 'a.txt': 'a\n' });
  let refuse = true;
  await page.route('**/file-events', (route) => (refuse ? route.abort('connectionreset') : route.continue()));
  await page.goto(`/projects/${project.id}/files`);
  await expect(treeButton(page, 'a.txt')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Live updates are paused, reconnecting…' })).toBeVisible();

  await putFile(page.request, project.id, 'while-away.txt', 'x');
  refuse = false;
  await expect(page.getByRole('status').filter({ hasText: 'Live updates are paused' })).toHaveCount(0);
  await expect(treeButton(page, 'while-away.txt')).toBeVisible();
  await page.unroute('**/file-events');
  await putFile(page.request, project.id, 'after.txt', 'x');
  await expect(treeButton(page, 'after.txt')).toBeVisible();
});

test.describe('at phone width in the dark theme', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, colorScheme: 'dark' });

  test('the explorer fits, its actions are reachable by name, and the dialog works', async ({ page }) => {
    const project = await newProject(page.request, { 'src/main.py': 'print("hi")\n', 'README.md': '# Notes\n' });
    await page.goto(`/projects/${project.id}/files`);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(treeButton(page, 'src')).toBeVisible();
    for (const name of ['New file', 'New folder', 'Upload files into the project folder', 'Upload a folder into the project folder']) {
      await expect(page.getByRole('button', { name })).toBeVisible();
    }
    await treeButton(page, 'README.md').click();
    await expect(page.getByRole('textbox', { name: 'Contents of README.md' })).toBeVisible();
    // Stacked above the editor, the tree still shows its rows rather than collapsing to a sliver.
    const rowsShown = await tree(page).evaluate((list) => list.clientHeight >= list.scrollHeight);
    expect(rowsShown).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'files-phone-dark');

    await page.getByRole('button', { name: 'New folder' }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await expect(dialog).toBeVisible();
    await page.keyboard.type('/abs');
    await expect(dialog.getByRole('alert')).toHaveText('Give a path inside the project: it cannot start with “/” or a drive letter.');
    await shot(page, 'files-phone-dark-dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });
});
