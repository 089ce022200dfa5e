import { computed, nextTick, onBeforeUnmount, onMounted, ref, watch, type Directive, type Ref } from 'vue';
import { IdleRenderer } from '../lib/idleRenderer';
import { anchorAt, buildLayout, followsEnd, HeightCache, indexesToRender, keepRendered, nextToRender, scrollTopFor, totalHeight, visibleRange, type Anchor, type ListLayout, type RenderedSpan } from '../lib/virtualLayout';

export interface VirtualListOptions {
  /** The scrolling element. */
  scroller: Ref<HTMLElement | null>;
  /** The element holding the items (absolutely positioned inside it), inside the scroller. */
  list: Ref<HTMLElement | null>;
  /** The element wrapping everything the scroller scrolls (its size changes with the content). */
  content: Ref<HTMLElement | null>;
  /** Item keys in list order. */
  keys: () => readonly string[];
  /** Height assumed for items never measured, until some are. */
  estimate?: number;
  /** Within this many pixels of the end, scrolling down makes the view follow the end again. */
  endThreshold?: number;
}

export interface RenderedItem {
  key: string;
  index: number;
  /** Offset from the top of the list, in px. */
  top: number;
  /** The height the list gives it, in px (measured, or the estimate). */
  height: number;
  /**
   * Shown as a cheap placeholder of exactly `height` (it came into view during a fast scroll, before it
   * could be rendered in full): rendered in full in the next idle time.
   */
  lite: boolean;
}

/** A scroll by the person this recent (ms) means the list is moving: what comes into view is a placeholder at first. */
const MOVING_MS = 150;

/**
 * Virtualises a vertical list of items with variable and changing heights, for a chat: only the
 * items in and near the viewport are rendered (plus the one holding keyboard focus); heights are
 * measured with a ResizeObserver and cached, the mean standing in for the unmeasured; whatever is at
 * the top of the viewport stays in place when heights above it change or items are prepended; the view
 * follows the end (an answer streaming in) until the person scrolls up.
 *
 * Items are rendered with `v-measure` and `data-vkey="<key>"`, positioned at `top`. An item that comes
 * into view while the person scrolls and was not rendered in full yet is `lite`: the caller shows a cheap
 * placeholder of the item's height instead (`data-lite` on the element, which is then not measured), and
 * the items are rendered in full one by one in idle time, those in view first, then those around it (so
 * that a slow scroll finds them ready). However fast the person flicks, a frame renders placeholders only.
 */
export function useVirtualList(options: VirtualListOptions) {
  const cache = new HeightCache(options.estimate ?? 160);
  const endThreshold = options.endThreshold ?? 80;
  /** Bumped whenever a measured height changes. */
  const measured = ref(0);
  const scrollTop = ref(0);
  const viewportHeight = ref(0);
  /** Whether the view keeps the end of the list in sight (new messages, a growing answer). */
  const followingEnd = ref(true);
  /** The key of the item holding keyboard focus: kept rendered while it is scrolled away. */
  const focusedKey = ref<string | null>(null);
  /** The list's offset inside the scroller's content (what sits above it: notes, a "load earlier" row). */
  let listOffset = 0;
  let previousTop = 0;
  /** The scrollTop the list itself last set: the scroll event it causes is not the person's doing. */
  let wroteTop: number | null = null;
  /** A smooth scroll to the end is under way (started by `scrollToEnd`). */
  let seeking = false;

  const layout = computed<ListLayout>(() => {
    void measured.value;
    return buildLayout(options.keys(), (key) => cache.get(key), cache.estimate());
  });
  const total = computed(() => totalHeight(layout.value));
  /** The list offset where the viewport starts; while following the end, where it is going to be. */
  const viewTop = computed(() => (followingEnd.value ? Math.max(0, total.value - viewportHeight.value) : Math.max(0, scrollTop.value - listOffset)));
  /** Rendered beyond the viewport on each side; items already rendered stay until twice as far. */
  const overscan = computed(() => Math.max(600, viewportHeight.value));
  let rendered: RenderedSpan | null = null;
  const range = computed(() => {
    const current = layout.value;
    const height = Math.max(viewportHeight.value, 1);
    const needed = visibleRange(current, viewTop.value, height, overscan.value);
    const kept = keepRendered(current, rendered, needed, visibleRange(current, viewTop.value, height, 2 * overscan.value));
    rendered = kept.end > kept.start ? { first: current.keys[kept.start]!, last: current.keys[kept.end - 1]! } : null;
    return kept;
  });
  const start = computed(() => range.value.start);
  const end = computed(() => range.value.end);
  const viewport = computed(() => visibleRange(layout.value, viewTop.value, Math.max(viewportHeight.value, 1), 0));
  const viewportStart = computed(() => viewport.value.start);
  const viewportEnd = computed(() => viewport.value.end);
  /** Keys of the items rendered in full (in range, or pinned); the others in view are placeholders. */
  const full = new Set<string>();
  /** Keys of the items in view shown as placeholders: rendered in full in idle time, not at once when the scroll stops. */
  const placeholders = new Set<string>();
  const fullVersion = ref(0);
  /** The person scrolled within the last MOVING_MS. */
  const moving = ref(false);
  let movingTimer: ReturnType<typeof setTimeout> | undefined;
  const items = computed<RenderedItem[]>(() => {
    void fullVersion.value;
    const current = layout.value;
    const pinnedIndex = focusedKey.value === null ? -1 : (current.indexOf.get(focusedKey.value) ?? -1);
    const still = !moving.value;
    const out: RenderedItem[] = [];
    for (const index of indexesToRender({ start: start.value, end: end.value }, [pinnedIndex], current.keys.length)) {
      const key = current.keys[index]!;
      const inView = index >= viewportStart.value && index < viewportEnd.value;
      // What comes into view while the list is still is rendered in full at once (a conversation opened, a
      // search result, a new message); while the person scrolls, as a placeholder.
      const inFull = index === pinnedIndex || full.has(key) || (inView && still && !placeholders.has(key));
      if (!inFull && !inView) continue;
      const top = current.offsets[index]!;
      out.push({ key, index, top, height: current.offsets[index + 1]! - top, lite: !inFull });
    }
    return out;
  });

  // After each render: what is rendered in full stays so while it is in range (or pinned), what left the
  // range is forgotten, and the next placeholder or item ahead is rendered in full in idle time.
  watch(
    items,
    (rendered) => {
      for (const item of rendered) {
        if (item.lite) placeholders.add(item.key);
        else {
          full.add(item.key);
          placeholders.delete(item.key);
        }
      }
      const current = layout.value;
      const inRange = (key: string) => {
        const index = current.indexOf.get(key);
        return index !== undefined && ((index >= start.value && index < end.value) || key === focusedKey.value);
      };
      for (const key of full) if (!inRange(key)) full.delete(key);
      for (const key of placeholders) if (!inRange(key)) placeholders.delete(key);
      idle.schedule();
    },
    { flush: 'post' },
  );
  const idle = new IdleRenderer({
    next() {
      const current = layout.value;
      const index = nextToRender(range.value, viewport.value, (i) => full.has(current.keys[i]!));
      return index < 0 ? null : current.keys[index]!;
    },
    async render(key) {
      full.add(key);
      placeholders.delete(key);
      fullVersion.value++;
      await nextTick();
    },
  });

  /** How far the viewport is from the top of the list, in px (for loading older items in time). */
  const distanceFromStart = computed(() => viewTop.value);

  // ---- scroll position -------------------------------------------------------------------------
  function readListOffset(): number {
    const list = options.list.value;
    listOffset = list ? list.offsetTop : 0;
    return listOffset;
  }

  function write(target: number): void {
    const el = options.scroller.value;
    if (!el) return;
    const clamped = Math.max(0, Math.min(target, el.scrollHeight - el.clientHeight));
    if (Math.abs(el.scrollTop - clamped) < 0.5) return;
    el.scrollTop = clamped;
    wroteTop = el.scrollTop;
    previousTop = wroteTop;
    scrollTop.value = wroteTop;
  }

  function stickToEnd(): void {
    const el = options.scroller.value;
    if (el) write(el.scrollHeight - el.clientHeight);
  }

  // Before the DOM changes with a new layout, note what is at the top of the viewport; after, put it back.
  // The scroll position is read, not taken from the last scroll event: a script (or the browser bringing
  // a focused element into view) may have scrolled since, and that must not be undone. Layouts mostly
  // change on measurements, in a ResizeObserver callback, when reading it costs no extra layout.
  let anchor: Anchor | null = null;
  watch(
    layout,
    (_next, previous) => {
      anchor = null;
      const el = options.scroller.value;
      if (!el || !previous) return;
      noticeScroll();
      if (followingEnd.value) return;
      // The elements are where `previous` put them, with the heights just measured (those of the items
      // rendered in full): the anchor is the item seen at the top.
      anchor = anchorAt(previous, el.scrollTop - listOffset, (key) => cache.get(key));
    },
    { flush: 'pre' },
  );
  watch(layout, settle, { flush: 'post' });

  function settle(): void {
    readListOffset();
    noticeScroll();
    if (followingEnd.value) {
      seeking = false; // the end moved: go there at once
      stickToEnd();
      return;
    }
    if (!anchor) return;
    const target = scrollTopFor(layout.value, anchor) + listOffset;
    anchor = null;
    write(target);
  }

  /** Takes in a scroll made since the last scroll event (whose own event comes only in the next frame). */
  function noticeScroll(): void {
    const el = options.scroller.value;
    if (el && Math.abs(el.scrollTop - previousTop) > 0.5) onScroll();
  }

  function onScroll(): void {
    const el = options.scroller.value;
    if (!el) return;
    const top = el.scrollTop;
    const reading = { top, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight };
    const madeByList = wroteTop !== null && Math.abs(top - wroteTop) < 1;
    wroteTop = null;
    if (seeking) {
      if (top < previousTop - 0.5) seeking = false; // the person took over
      else if (reading.scrollHeight - reading.clientHeight - top <= 1) seeking = false;
    }
    if (!seeking) followingEnd.value = followsEnd(followingEnd.value, previousTop, reading, endThreshold, madeByList);
    if (!madeByList) startMoving();
    previousTop = top;
    scrollTop.value = top;
  }

  /** When the person last scrolled (ms); `moving` turns false once MOVING_MS have passed since. */
  let lastMove = 0;
  function startMoving(): void {
    lastMove = performance.now();
    if (!moving.value) moving.value = true;
    if (movingTimer === undefined) movingTimer = setTimeout(stopMovingLater, MOVING_MS);
  }
  function stopMovingLater(): void {
    const left = lastMove + MOVING_MS - performance.now();
    movingTimer = left > 1 ? setTimeout(stopMovingLater, left) : undefined;
    if (movingTimer === undefined) moving.value = false;
  }

  /** Goes to the end and follows it from there: smoothly when it is near, at once when it is far. */
  function scrollToEnd(smooth = false): void {
    const el = options.scroller.value;
    followingEnd.value = true;
    if (!el) return;
    const distance = el.scrollHeight - el.clientHeight - el.scrollTop;
    const reduceMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (smooth && !reduceMotion && distance < 1.5 * el.clientHeight) {
      seeking = true;
      el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
      return;
    }
    seeking = false;
    stickToEnd();
  }

  /**
   * Brings the item with this key into view, a quarter down the viewport, and stops following the end
   * (a search result opened). False when no item has that key.
   */
  function scrollToKey(key: string): boolean {
    const index = layout.value.indexOf.get(key);
    const el = options.scroller.value;
    if (index === undefined || !el) return false;
    seeking = false;
    followingEnd.value = false;
    readListOffset();
    write(layout.value.offsets[index]! + listOffset - el.clientHeight / 4);
    return true;
  }

  /** Follow the end from now on (a message was just sent). */
  function followEnd(): void {
    seeking = false;
    followingEnd.value = true;
    stickToEnd();
  }

  // ---- measuring ---------------------------------------------------------------------------------
  /** The scroller's content width (-1: not seen yet). */
  let width = -1;
  const itemObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(onItemsResized) : null;
  const frameObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(onFrameResized) : null;

  function onItemsResized(entries: ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      const key = el.dataset.vkey;
      if (!key || !el.isConnected) continue;
      const height = entry.borderBoxSize?.[0]?.blockSize ?? el.getBoundingClientRect().height;
      if (cache.set(key, height)) changed = true;
    }
    if (changed) measured.value++;
  }

  function onFrameResized(entries: ResizeObserverEntry[]): void {
    const el = options.scroller.value;
    if (!el) return;
    const own = entries.find((entry) => entry.target === el);
    if (own) {
      // The scroller has no padding: its content box is its client area (read without a layout).
      viewportHeight.value = own.contentRect.height;
      if (own.contentRect.width !== width) {
        // Text wraps differently now: heights measured at the old width are stale, except those of
        // the rendered items, which the item observer measures again.
        width = own.contentRect.width;
        cache.retainOnly(new Set(items.value.map((item) => item.key)));
        measured.value++;
      }
    }
    readListOffset(); // what sits above the list may have changed
    noticeScroll();
    if (followingEnd.value) {
      seeking = false;
      stickToEnd();
    }
  }

  /** Item elements being measured: those rendered in full (a placeholder is as high as the list says). */
  const observed = new WeakSet<HTMLElement>();
  function measureIfFull(el: HTMLElement): void {
    if (el.dataset.lite !== undefined || observed.has(el)) return;
    observed.add(el);
    itemObserver?.observe(el); // reports its height at once, even one equal to the placeholder's
  }
  /** Measures the element of an item while it is rendered in full. */
  const vMeasure: Directive<HTMLElement> = {
    mounted: measureIfFull,
    updated: measureIfFull,
    beforeUnmount: (el) => {
      if (observed.delete(el)) itemObserver?.unobserve(el);
    },
  };

  // ---- focus ---------------------------------------------------------------------------------------
  function onFocusIn(event: FocusEvent): void {
    const item = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-vkey]');
    focusedKey.value = item?.dataset.vkey ?? null;
  }
  function onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as HTMLElement | null;
    const item = next?.closest<HTMLElement>('[data-vkey]');
    if (!item || !options.scroller.value?.contains(item)) focusedKey.value = null;
  }

  onMounted(() => {
    const el = options.scroller.value;
    if (!el) return;
    viewportHeight.value = el.clientHeight;
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('focusin', onFocusIn);
    el.addEventListener('focusout', onFocusOut);
    frameObserver?.observe(el);
    if (options.content.value) frameObserver?.observe(options.content.value);
    readListOffset();
    stickToEnd();
  });
  onBeforeUnmount(() => {
    const el = options.scroller.value;
    el?.removeEventListener('scroll', onScroll);
    el?.removeEventListener('focusin', onFocusIn);
    el?.removeEventListener('focusout', onFocusOut);
    itemObserver?.disconnect();
    frameObserver?.disconnect();
    idle.stop();
    clearTimeout(movingTimer);
  });

  return { items, total, followingEnd, distanceFromStart, viewportHeight, scrollToEnd, scrollToKey, followEnd, vMeasure };
}
