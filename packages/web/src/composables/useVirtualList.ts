import { computed, onBeforeUnmount, onMounted, ref, watch, type Directive, type Ref } from 'vue';
import { anchorAt, buildLayout, followsEnd, HeightCache, indexesToRender, keepRendered, nextToMount, scrollTopFor, totalHeight, visibleRange, type Anchor, type ListLayout, type RenderedSpan } from '../lib/virtualLayout';

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
}

/**
 * Virtualises a vertical list of items with variable and changing heights, for a chat: only the
 * items in and near the viewport are rendered (plus the one holding keyboard focus); heights are
 * measured with a ResizeObserver and cached, the mean standing in for the unmeasured; whatever is at
 * the top of the viewport stays in place when heights above it change or items are prepended; the view
 * follows the end (an answer streaming in) until the person scrolls up.
 *
 * Items are rendered with `v-measure` and `data-vkey="<key>"`, positioned at `top`.
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
  /**
   * Keys of the items outside the viewport that are mounted: one more per frame (the nearest first),
   * so that scrolling mounts at most one item ahead of need per frame besides those coming into view.
   */
  const mountedAhead = new Set<string>();
  const mountedAheadVersion = ref(0);
  const items = computed<RenderedItem[]>(() => {
    void mountedAheadVersion.value;
    const current = layout.value;
    const pinnedIndex = focusedKey.value === null ? -1 : (current.indexOf.get(focusedKey.value) ?? -1);
    const shown = (index: number) => (index >= viewportStart.value && index < viewportEnd.value) || index === pinnedIndex || mountedAhead.has(current.keys[index]!);
    return indexesToRender({ start: start.value, end: end.value }, [pinnedIndex], current.keys.length)
      .filter(shown)
      .map((index) => ({ key: current.keys[index]!, index, top: current.offsets[index]! }));
  });

  // After each render: what is in view counts as mounted (it stays when it scrolls out of view), what
  // left the range is forgotten, and the next item ahead is mounted in the next frame.
  let mountFrame = 0;
  watch(
    [start, end, viewportStart, viewportEnd, mountedAheadVersion],
    () => {
      const current = layout.value;
      for (let i = viewportStart.value; i < viewportEnd.value; i++) mountedAhead.add(current.keys[i]!);
      for (const key of mountedAhead) {
        const index = current.indexOf.get(key);
        if (index === undefined || index < start.value || index >= end.value) mountedAhead.delete(key);
      }
      if (!mountFrame && pendingAhead() >= 0 && typeof requestAnimationFrame === 'function') mountFrame = requestAnimationFrame(mountNextAhead);
    },
    { flush: 'post' },
  );
  function pendingAhead(): number {
    const current = layout.value;
    return nextToMount(range.value, viewport.value, (index) => mountedAhead.has(current.keys[index]!));
  }
  function mountNextAhead(): void {
    mountFrame = 0;
    const next = pendingAhead();
    if (next < 0) return;
    mountedAhead.add(layout.value.keys[next]!);
    mountedAheadVersion.value++;
  }
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
      anchor = anchorAt(previous, el.scrollTop - listOffset);
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
    previousTop = top;
    scrollTop.value = top;
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

  /** Measures the element of an item while it is rendered. */
  const vMeasure: Directive<HTMLElement> = {
    mounted: (el) => itemObserver?.observe(el),
    beforeUnmount: (el) => itemObserver?.unobserve(el),
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
    if (mountFrame) cancelAnimationFrame(mountFrame);
  });

  return { items, total, followingEnd, distanceFromStart, viewportHeight, scrollToEnd, scrollToKey, followEnd, vMeasure };
}
