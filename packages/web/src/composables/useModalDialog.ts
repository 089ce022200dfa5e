import { nextTick, ref, watch, type Ref } from 'vue';

/**
 * Shows a `<dialog>` as a modal while `isOpen()` holds and closes it when it stops holding; `onShown`
 * runs once it is shown (to put the focus in it). Returns the ref to bind to the element.
 */
export function useModalDialog(isOpen: () => boolean, onShown: () => void): Ref<HTMLDialogElement | null> {
  const dialog = ref<HTMLDialogElement | null>(null);
  watch(isOpen, async (open) => {
    await nextTick();
    if (!dialog.value) return;
    if (open && !dialog.value.open) {
      dialog.value.showModal();
      onShown();
    } else if (!open && dialog.value.open) dialog.value.close();
  });
  return dialog;
}
