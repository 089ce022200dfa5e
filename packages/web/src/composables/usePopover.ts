import { ref, type Ref } from 'vue';

/**
 * A popover opened from a button (a menu, a list to choose from): whether it is open, closing it with
 * focus back on the button (or on whatever opened it), and closing when focus leaves it.
 */
export function usePopover(trigger: Ref<HTMLElement | null>) {
  const open = ref(false);
  let returnFocus: HTMLElement | null = null;

  /** Opens it; `from` (default the button) gets focus back when it closes. */
  function show(from?: HTMLElement | null): void {
    returnFocus = from ?? trigger.value;
    open.value = true;
  }

  /** Closes it; focus goes back to what opened it unless `restore` is false (Tab moved it on). */
  function close(restore = true): void {
    if (!open.value) return;
    open.value = false;
    if (restore) returnFocus?.focus();
  }

  /** `focusout` of the element holding the popover: closes it when focus went outside. */
  function onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (!next || !(event.currentTarget as HTMLElement).contains(next)) close(false);
  }

  return { open, show, close, onFocusOut };
}
