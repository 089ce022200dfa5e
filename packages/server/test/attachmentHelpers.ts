import type { TestServer } from './helpers.js';

/** POSTs one file to /api/attachments as multipart; answers the status and the parsed envelope. */
export async function uploadAttachment(t: Pick<TestServer, 'url'>, name: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${t.url}/api/attachments`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as { code: number; data: any; message?: string } };
}

/** The part summary the simulator's `parts` scenario answers with. */
export function partsOf(answer: string): Array<{ type: string; chars?: number; mime?: string; width?: number; height?: number }> {
  const match = /Parts: (\[.*\])$/s.exec(answer);
  if (!match) throw new Error(`not a parts answer: ${answer}`);
  return JSON.parse(match[1]!);
}
