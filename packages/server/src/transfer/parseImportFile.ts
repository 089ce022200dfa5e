import { chatgptImport, looksLikeChatgpt } from './chatgptImport.js';
import { ImportFileError } from './importErrors.js';
import type { ImportDefaults, ImportPlan } from './importPlan.js';
import { nanoclawImport } from './nanoclawImport.js';
import { looksLikeOpenWebui, openWebuiImport } from './openWebuiImport.js';

/** The text of a file to import as JSON; a malformed or truncated file is one sentence saying so. */
export function parseImportJson(text: string): unknown {
  if (text.trim() === '') throw new ImportFileError('The file is empty.');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImportFileError(`The file is not valid JSON (${(err as Error).message}); it may be truncated or of another format.`);
  }
}

/**
 * What a file to import holds, whichever format it is in: NanoClaw's own export, a ChatGPT
 * conversations.json or an Open WebUI chat export, told apart by their shapes. Throws ImportFileError,
 * naming the problem, for anything else or anything broken.
 */
export function parseImportFile(value: unknown, defaults: ImportDefaults): ImportPlan {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { format?: unknown }).format === 'nanoclaw-export') {
    return nanoclawImport(value);
  }
  if (Array.isArray(value) && value.length === 0) throw new ImportFileError('The file holds an empty list: there is nothing to import.');
  if (looksLikeChatgpt(value)) return chatgptImport(value, defaults);
  if (looksLikeOpenWebui(value)) return openWebuiImport(value, defaults);
  throw new ImportFileError(
    'The file is in none of the formats NanoClaw imports: a NanoClaw export (format "nanoclaw-export"), a ChatGPT conversations.json or an Open WebUI chat export.',
  );
}
