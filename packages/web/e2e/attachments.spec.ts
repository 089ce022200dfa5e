import { PDFDocument, StandardFonts } from 'pdf-lib';
import { test, expect, shot, sendMessage, lastAssistant } from './fixtures';

/** A one-page PDF with a text layer, made here. */
async function pdfBase64(text: string): Promise<string> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([300, 200]).drawText(text, { x: 20, y: 100, size: 12, font });
  return Buffer.from(await pdf.save()).toString('base64');
}

/** Pastes a PNG drawn on a canvas into the composer, as a screenshot on the clipboard would arrive. */
async function pasteImage(page: import('@playwright/test').Page, name: string, width: number, height: number): Promise<void> {
  await page.getByRole('textbox', { name: 'Your message' }).evaluate(
    async (box, { name, width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#3060d0';
      g.fillRect(0, 0, width, height);
      g.fillStyle = '#ffd000';
      g.fillRect(width / 4, height / 4, width / 2, height / 2);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], name, { type: 'image/png' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { name, width, height },
  );
}

test('paste an image and drop a PDF: chips while uploading, thumbnail and the model seeing the image after sending, still there after a reload', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'parts' });
  await page.goto(`/c/${conversation.id}`);

  await pasteImage(page, 'screenshot.png', 640, 400);
  const pdf = await pdfBase64('Minutes of the meeting');
  await page.getByTestId('chat-drop').evaluate((target, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'minutes.pdf', { type: 'application/pdf' }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, pdf);

  const chips = page.locator('.composer .upload-chip');
  await expect(chips).toHaveCount(2);
  await expect(chips.nth(0)).toContainText('screenshot.png');
  await expect(chips.nth(0).locator('img.chip-thumb')).toBeVisible();
  await expect(chips.nth(1)).toContainText('minutes.pdf');
  await expect(page.locator('.composer .upload-chip[data-state="done"]')).toHaveCount(2);
  await shot(page, 'attachments-chips');

  await sendMessage(page, 'What do you see?');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'complete');
  await expect(answer).toContainText('I received 4 parts, 1 image.');
  await expect(answer).toContainText('"type":"image_url","url_scheme":"data","mime":"image/png"');
  const question = page.locator('article[data-role="user"]').last();
  await expect(question.getByTestId('attachment-thumb')).toBeVisible();
  await expect(question.getByRole('button', { name: /minutes\.pdf/ })).toBeVisible();
  await expect(page.locator('.composer .upload-chip')).toHaveCount(0);
  await shot(page, 'attachments-sent');

  const [stored] = await api.messages(conversation.id);
  expect(stored.files.map((f: { name: string; kind: string }) => [f.name, f.kind])).toEqual([
    ['screenshot.png', 'image'],
    ['minutes.pdf', 'document'],
  ]);

  await page.reload();
  await expect(lastAssistant(page)).toContainText('1 image');
  const thumb = page.locator('article[data-role="user"]').last().getByTestId('attachment-thumb');
  await expect(thumb).toBeVisible();
  expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  await page.getByRole('button', { name: 'Open screenshot.png full size' }).click();
  const viewer = page.getByRole('dialog', { name: 'screenshot.png' });
  await expect(viewer.locator('img')).toBeVisible();
  await shot(page, 'attachments-full-size');
  await viewer.getByRole('button', { name: 'Close' }).click();
  await expect(viewer).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /minutes\.pdf/ }).click();
  expect((await download).suggestedFilename()).toBe('minutes.pdf');
});

test('a model without vision: the image is not sent and the answer says so', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  await pasteImage(page, 'chart.png', 200, 100);
  await expect(page.locator('.composer .upload-chip[data-state="done"]')).toHaveCount(1);
  await sendMessage(page, 'Explain the chart');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastAssistant(page).getByRole('note')).toHaveText(/does not take images: chart\.png was not sent to it/);
  await shot(page, 'attachments-no-vision');
});

test('a file the server refuses shows why on its chip, and the message waits until it is removed', async ({ page, api }) => {
  const conversation = await api.createConversation({ model: 'text' });
  await page.goto(`/c/${conversation.id}`);
  // Bytes of an executable under an image's name: the server judges by the bytes.
  await page.getByTestId('attach-input').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200, 1)]) });
  const chip = page.locator('.composer .upload-chip');
  await expect(chip).toHaveAttribute('data-state', 'error');
  await expect(chip.getByRole('alert')).toContainText('cannot be attached');
  await sendMessage(page, 'hello');
  await expect(page.locator('.composer-problems')).toContainText('remove them to send');
  await shot(page, 'attachments-refused');
  await chip.getByRole('button', { name: 'Remove cat.png' }).click();
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'complete');
});
