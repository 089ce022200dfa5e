import { inject, provide, ref, watch, type InjectionKey, type Ref } from 'vue';

/** Blocks remembered at most; the oldest change is forgotten first. */
const REMEMBERED = 2_000;
const remembered = new Map<string, boolean>();

/** The message whose blocks are below: a stored message's id; none for one still being written. */
const SCOPE: InjectionKey<string | undefined> = Symbol('disclosure scope');

/** Called by a message: the blocks inside it remember their state under its id. */
export function provideDisclosureScope(messageId: string | undefined): void {
  provide(SCOPE, messageId);
}

/**
 * Whether a collapsible block (thinking, tool call, sub-agent) is open. The long message list only
 * keeps the messages near the view in the page, so a block scrolled away and back is a new component:
 * its state is remembered here, for the life of the page, under its message and `id` (unique within the
 * message), and `initial` only decides a block never seen before. Outside a stored message nothing is
 * remembered.
 */
export function useDisclosure(id: string, initial: boolean): { open: Ref<boolean>; onToggle: (event: Event) => void } {
  const scope = inject(SCOPE, undefined);
  const key = scope === undefined ? undefined : `${scope}\n${id}`;
  const open = ref(key === undefined ? initial : (remembered.get(key) ?? initial));
  if (key !== undefined) {
    watch(open, (now) => {
      remembered.delete(key);
      remembered.set(key, now);
      if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value!);
    });
  }
  /** The `toggle` of the block's `<details>`: the person opened or closed it. */
  const onToggle = (event: Event): void => {
    open.value = (event.target as HTMLDetailsElement).open;
  };
  return { open, onToggle };
}
