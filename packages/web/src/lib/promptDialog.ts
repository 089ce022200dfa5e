import { reactive } from 'vue';

export interface PromptOptions {
  title: string;
  /** The field's label. */
  label: string;
  /** What the field holds when the dialog opens. */
  value?: string;
  confirmLabel: string;
  /** Part of the value selected when the dialog opens, [start, end); default: the cursor at the end. */
  select?: [number, number];
  /** Checks the value as it is typed and on confirm: a sentence to show under the field, or null when it is fine. */
  validate?: (value: string) => string | null;
  /** Runs on confirm with the checked value; a sentence keeps the dialog open and shows it, null closes it. */
  submit?: (value: string) => Promise<string | null>;
}

interface PromptState {
  open: boolean;
  title: string;
  label: string;
  value: string;
  confirmLabel: string;
  select: [number, number] | null;
  /** The sentence under the field (validation or the submit's answer). */
  error: string | null;
  /** True once the person typed or tried to confirm: an untouched field shows no complaint yet. */
  touched: boolean;
  busy: boolean;
  validate: ((value: string) => string | null) | null;
  submit: ((value: string) => Promise<string | null>) | null;
  resolve: ((value: string | null) => void) | null;
}

export const promptState = reactive<PromptState>({
  open: false,
  title: '',
  label: '',
  value: '',
  confirmLabel: '',
  select: null,
  error: null,
  touched: false,
  busy: false,
  validate: null,
  submit: null,
  resolve: null,
});

/**
 * Asks for a line of text in the app's dialog (PromptDialog.vue): resolves with the value once it
 * is confirmed (and, with `submit`, once that succeeded), or null when the dialog is cancelled.
 */
export function askText(options: PromptOptions): Promise<string | null> {
  promptState.resolve?.(null);
  return new Promise((resolve) => {
    Object.assign(promptState, {
      open: true,
      title: options.title,
      label: options.label,
      value: options.value ?? '',
      confirmLabel: options.confirmLabel,
      select: options.select ?? null,
      error: null,
      touched: false,
      busy: false,
      validate: options.validate ?? null,
      submit: options.submit ?? null,
      resolve,
    });
  });
}

/** The field changed: check it again. */
export function promptInput(value: string): void {
  promptState.value = value;
  promptState.touched = true;
  promptState.error = promptState.validate?.(value) ?? null;
}

/** Confirm (Enter or the button): check, run `submit` if any, and close unless something is wrong. */
export async function confirmPrompt(): Promise<void> {
  if (!promptState.open || promptState.busy) return;
  promptState.touched = true;
  const value = promptState.value;
  const problem = promptState.validate?.(value) ?? null;
  promptState.error = problem;
  if (problem) return;
  if (promptState.submit) {
    promptState.busy = true;
    let failure: string | null;
    try {
      failure = await promptState.submit(value);
    } finally {
      promptState.busy = false;
    }
    // Cancelled (or replaced by another question) while the submit was running.
    if (!promptState.open || promptState.value !== value) return;
    if (failure) {
      promptState.error = failure;
      return;
    }
  }
  settle(value);
}

/** Cancel (Esc or the button). */
export function cancelPrompt(): void {
  settle(null);
}

function settle(value: string | null): void {
  const resolve = promptState.resolve;
  Object.assign(promptState, { open: false, resolve: null, validate: null, submit: null, busy: false });
  resolve?.(value);
}
