import { reactive } from 'vue';

interface ConfirmState {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  danger: boolean;
  resolve: ((ok: boolean) => void) | null;
}

export const confirmState = reactive<ConfirmState>({ open: false, title: '', body: '', confirmLabel: '', danger: true, resolve: null });

/** Asks the person to confirm in the app's dialog; resolves true when they do. */
export function askConfirm(options: { title: string; body: string; confirmLabel: string; danger?: boolean }): Promise<boolean> {
  confirmState.resolve?.(false);
  return new Promise((resolve) => {
    Object.assign(confirmState, { ...options, danger: options.danger ?? true, open: true, resolve });
  });
}

export function settleConfirm(ok: boolean): void {
  const resolve = confirmState.resolve;
  confirmState.open = false;
  confirmState.resolve = null;
  resolve?.(ok);
}
