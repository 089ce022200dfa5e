/**
 * The arithmetic of a virtualised list whose items have variable, changing heights: where each item
 * sits (measured heights where known, an estimate elsewhere), which items a viewport needs, and how to
 * keep what the person is looking at in place when heights above it change or items are prepended.
 * No DOM here: useVirtualList wires it to the page.
 */

export interface ListLayout {
  keys: readonly string[];
  /** `offsets[i]` is the top of item i; `offsets[keys.length]` is the total height. */
  offsets: Float64Array;
  /** Position of each key in `keys`. */
  indexOf: ReadonlyMap<string, number>;
}

export function buildLayout(keys: readonly string[], heightOf: (key: string) => number | undefined, estimate: number): ListLayout {
  const offsets = new Float64Array(keys.length + 1);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    indexOf.set(key, i);
    offsets[i + 1] = offsets[i]! + (heightOf(key) ?? estimate);
  }
  return { keys, offsets, indexOf };
}

export function totalHeight(layout: ListLayout): number {
  return layout.offsets[layout.keys.length]!;
}

/** The item covering `y` (clamped to the first and last); -1 for an empty list. */
export function indexAt(layout: ListLayout, y: number): number {
  const count = layout.keys.length;
  if (count === 0) return -1;
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (layout.offsets[mid]! <= y) low = mid;
    else high = mid - 1;
  }
  return low;
}

export interface IndexRange {
  /** First index in the range. */
  start: number;
  /** One past the last index (start === end: nothing). */
  end: number;
}

/** Items that intersect [top - overscan, top + height + overscan]. */
export function visibleRange(layout: ListLayout, top: number, height: number, overscan: number): IndexRange {
  const count = layout.keys.length;
  if (count === 0) return { start: 0, end: 0 };
  const start = indexAt(layout, Math.max(0, top - overscan));
  const last = indexAt(layout, top + height + overscan);
  return { start, end: last + 1 };
}

/** The first and last key of what was rendered last time. */
export interface RenderedSpan {
  first: string;
  last: string;
}

/**
 * The range to render: `needed` (the viewport and its overscan), extended by what was rendered before
 * as far as it stays within `keep` (a wider margin). Items scrolled just past the overscan stay mounted,
 * so scrolling back and forth, or through a short conversation, does not mount them again and again.
 */
export function keepRendered(layout: ListLayout, previous: RenderedSpan | null, needed: IndexRange, keep: IndexRange): IndexRange {
  if (!previous || needed.end <= needed.start) return needed;
  const first = layout.indexOf.get(previous.first);
  const last = layout.indexOf.get(previous.last);
  if (first === undefined || last === undefined || last < first) return needed;
  if (last + 1 < needed.start || first > needed.end) return needed; // far away: nothing to keep
  return {
    start: Math.max(Math.min(needed.start, first), keep.start),
    end: Math.min(Math.max(needed.end, last + 1), keep.end),
  };
}

/** Indexes to render, in list order: the range plus pinned ones outside it (e.g. the focused item). */
export function indexesToRender(range: IndexRange, pinned: Iterable<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = range.start; i < range.end; i++) out.push(i);
  const extra = [...new Set(pinned)].filter((i) => i >= 0 && i < count && (i < range.start || i >= range.end));
  if (!extra.length) return out;
  return [...out, ...extra].sort((a, b) => a - b);
}

/**
 * The next item to render in full (the others in view are placeholders meanwhile): first those in the
 * viewport, from its middle outwards, then those around it, the nearest first (above first on a tie), as
 * far as `range` goes; -1 when every one of them is rendered (`done`).
 */
export function nextToRender(range: IndexRange, viewport: IndexRange, done: (index: number) => boolean): number {
  const middle = (viewport.start + viewport.end - 1) >> 1;
  for (let step = 0; middle - step >= viewport.start || middle + step + 1 < viewport.end; step++) {
    const above = middle - step;
    if (above >= viewport.start && !done(above)) return above;
    const below = middle + step + 1;
    if (below < viewport.end && !done(below)) return below;
  }
  const reach = Math.max(viewport.start - range.start, range.end - viewport.end);
  for (let step = 1; step <= reach; step++) {
    const above = viewport.start - step;
    if (above >= range.start && !done(above)) return above;
    const below = viewport.end - 1 + step;
    if (below < range.end && !done(below)) return below;
  }
  return -1;
}

/**
 * What the person is looking at: the item at the top of the viewport and how far into it they are (negative:
 * the viewport starts in the gap above it, below a previous item that became shorter).
 */
export interface Anchor {
  key: string;
  index: number;
  /** scrollTop minus the item's top. */
  into: number;
}

export function anchorAt(layout: ListLayout, scrollTop: number, measured?: (key: string) => number | undefined): Anchor | null {
  let index = indexAt(layout, scrollTop);
  if (index < 0) return null;
  if (measured) index = shownAt(layout, measured, index, scrollTop);
  return { key: layout.keys[index]!, index, into: scrollTop - layout.offsets[index]! };
}

/** How many items above the one whose place covers a point are checked for having grown over it. */
const OVERLAP_SCAN = 16;

/**
 * The item the person sees at `y`, where `index` is the one whose place in `layout` covers it and `measured`
 * gives the heights just measured (undefined for items never measured: placeholders and items out of the
 * page keep the height of their place). The elements are still where `layout` puts them, but with their
 * measured heights: one rendered in full where a placeholder of the estimated height stood may be shorter than its
 * place (a gap below it, then the next item) or taller (it reaches over the next ones). The first item in
 * list order whose element reaches below `y` is the one seen there; anchoring on another would make what
 * is at the top jump by the difference.
 */
function shownAt(layout: ListLayout, measured: (key: string) => number | undefined, index: number, y: number): number {
  const bottom = (i: number) => layout.offsets[i]! + (measured(layout.keys[i]!) ?? layout.offsets[i + 1]! - layout.offsets[i]!);
  for (let i = Math.max(0, index - OVERLAP_SCAN); i < index; i++) if (bottom(i) > y) return i;
  if (bottom(index) <= y && index + 1 < layout.keys.length) return index + 1;
  return index;
}

/**
 * The scrollTop that puts the anchor where it was in a new layout: its item is found by key (so
 * prepended items and height changes above it are absorbed), else at its old index (an item that was
 * replaced, e.g. an answer that got its stored id). A viewport starting above the list (on what sits
 * before it) gives a negative result: the caller adds the list's own offset.
 */
export function scrollTopFor(layout: ListLayout, anchor: Anchor): number {
  const count = layout.keys.length;
  if (count === 0) return 0;
  const index = layout.indexOf.get(anchor.key) ?? Math.min(anchor.index, count - 1);
  return layout.offsets[index]! + anchor.into;
}

/**
 * Measured heights by key, and an estimate for the rest: the mean of the first measurement of each item,
 * changed only when the mean has moved by more than a tenth. (Every unmeasured item is placed with the
 * estimate, so a change moves them all: a growing answer or one more message measured must not do that
 * on every frame.) Heights are kept in whole pixels (rounded up: items never overlap), so offsets and
 * the scroll positions computed from them are whole too, and restoring a scroll position again and
 * again never drifts by rounding.
 */
export class HeightCache {
  private readonly heights = new Map<string, number>();
  private firstSum = 0;
  private firstCount = 0;
  private current: number;

  constructor(private readonly fallback: number) {
    this.current = fallback;
  }

  get(key: string): number | undefined {
    return this.heights.get(key);
  }

  /** Records a measurement; true when it changed what the cache held. */
  set(key: string, measured: number): boolean {
    const height = Math.ceil(measured - 0.01);
    const before = this.heights.get(key);
    if (before === height) return false;
    if (before === undefined) {
      this.firstSum += height;
      this.firstCount++;
    }
    this.heights.set(key, height);
    return true;
  }

  estimate(): number {
    const mean = this.firstCount ? this.firstSum / this.firstCount : this.fallback;
    if (Math.abs(mean - this.current) > this.current / 10) this.current = Math.round(mean);
    return this.current;
  }

  /** Forgets every height but those of `keep` (the width changed: the others are stale). */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const key of this.heights.keys()) if (!keep.has(key)) this.heights.delete(key);
    this.firstSum = [...this.heights.values()].reduce((sum, height) => sum + height, 0);
    this.firstCount = this.heights.size;
  }
}

export interface ScrollReading {
  top: number;
  scrollHeight: number;
  clientHeight: number;
}

/**
 * Whether the view keeps following the end of the list after a scroll event. At the very end it
 * always does; a scroll the list made itself changes nothing; a move up by the person lets go at once,
 * however small; moving down to near the end (within `threshold`) takes hold again.
 */
export function followsEnd(was: boolean, previousTop: number, now: ScrollReading, threshold: number, madeByList: boolean): boolean {
  const distance = now.scrollHeight - now.clientHeight - now.top;
  if (distance <= 1) return true;
  if (madeByList) return was;
  if (now.top < previousTop - 0.5) return false;
  if (distance > threshold) return false;
  return now.top > previousTop + 0.5 ? true : was;
}
