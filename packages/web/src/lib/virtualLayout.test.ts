import { describe, expect, it } from 'vitest';
import { anchorAt, buildLayout, followsEnd, HeightCache, indexAt, indexesToRender, keepRendered, nextToRender, scrollTopFor, totalHeight, visibleRange } from './virtualLayout';

const keys = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('buildLayout', () => {
  it('places measured items at their height and unmeasured ones at the estimate', () => {
    const heights: Record<string, number> = { m0: 50, m2: 200 };
    const layout = buildLayout(keys(4), (k) => heights[k], 100);
    expect([...layout.offsets]).toEqual([0, 50, 150, 350, 450]);
    expect(totalHeight(layout)).toBe(450);
    expect(layout.indexOf.get('m3')).toBe(3);
  });

  it('is empty for no items', () => {
    const layout = buildLayout([], () => undefined, 100);
    expect(totalHeight(layout)).toBe(0);
    expect(indexAt(layout, 10)).toBe(-1);
    expect(visibleRange(layout, 0, 500, 100)).toEqual({ start: 0, end: 0 });
    expect(anchorAt(layout, 0)).toBeNull();
  });
});

describe('indexAt and visibleRange', () => {
  const layout = buildLayout(keys(100), () => undefined, 100); // item i spans [100 i, 100 i + 100)

  it('finds the item covering a position, clamped to the ends', () => {
    expect(indexAt(layout, 0)).toBe(0);
    expect(indexAt(layout, 99.9)).toBe(0);
    expect(indexAt(layout, 100)).toBe(1);
    expect(indexAt(layout, 5_050)).toBe(50);
    expect(indexAt(layout, -20)).toBe(0);
    expect(indexAt(layout, 1e9)).toBe(99);
  });

  it('covers the viewport and the overscan on both sides, and no more', () => {
    expect(visibleRange(layout, 5_000, 800, 0)).toEqual({ start: 50, end: 59 });
    expect(visibleRange(layout, 5_000, 800, 300)).toEqual({ start: 47, end: 62 });
    expect(visibleRange(layout, 0, 800, 300)).toEqual({ start: 0, end: 12 });
    expect(visibleRange(layout, 9_200, 800, 300)).toEqual({ start: 89, end: 100 });
  });

  it('keeps the number of items bounded by the viewport, not the list length', () => {
    const long = buildLayout(keys(2_000), () => undefined, 120);
    const range = visibleRange(long, 100_000, 800, 800);
    expect(range.end - range.start).toBeLessThanOrEqual(Math.ceil((800 + 2 * 800) / 120) + 1);
  });
});

describe('keepRendered', () => {
  const layout = buildLayout(keys(100), () => undefined, 100);

  it('keeps items rendered before while they stay within the wider margin', () => {
    // Scrolled up by a little: the items below the overscan stay, up to the margin.
    expect(keepRendered(layout, { first: 'm40', last: 'm60' }, { start: 35, end: 55 }, { start: 25, end: 65 })).toEqual({ start: 35, end: 61 });
    expect(keepRendered(layout, { first: 'm40', last: 'm80' }, { start: 35, end: 55 }, { start: 25, end: 65 })).toEqual({ start: 35, end: 65 });
  });

  it('renders only what is needed when nothing was rendered near it', () => {
    expect(keepRendered(layout, null, { start: 35, end: 55 }, { start: 25, end: 65 })).toEqual({ start: 35, end: 55 });
    expect(keepRendered(layout, { first: 'm80', last: 'm90' }, { start: 35, end: 55 }, { start: 25, end: 65 })).toEqual({ start: 35, end: 55 });
    expect(keepRendered(layout, { first: 'gone', last: 'm50' }, { start: 35, end: 55 }, { start: 25, end: 65 })).toEqual({ start: 35, end: 55 });
  });

  it('follows the items by key when older ones were prepended', () => {
    const prepended = buildLayout([...keys(10, 'old'), ...keys(100)], () => undefined, 100);
    expect(keepRendered(prepended, { first: 'm40', last: 'm60' }, { start: 45, end: 65 }, { start: 35, end: 75 })).toEqual({ start: 45, end: 71 });
  });
});

describe('nextToRender', () => {
  it('picks the items of the viewport first, from its middle outwards', () => {
    const done = new Set<number>();
    const order: number[] = [];
    for (let next = nextToRender({ start: 10, end: 30 }, { start: 15, end: 20 }, (i) => done.has(i)); next >= 0; next = nextToRender({ start: 10, end: 30 }, { start: 15, end: 20 }, (i) => done.has(i))) {
      order.push(next);
      done.add(next);
    }
    expect(order.slice(0, 5)).toEqual([17, 18, 16, 19, 15]);
    // Then the ones around it, the nearest first, above first on a tie, as far as the range goes.
    expect(order.slice(5)).toEqual([14, 20, 13, 21, 12, 22, 11, 23, 10, 24, 25, 26, 27, 28, 29]);
  });

  it('skips what is rendered already, and goes on past the shorter side', () => {
    const rendered = new Set([15, 16, 17, 18, 19, 14, 13, 12, 11, 10, 20]);
    expect(nextToRender({ start: 10, end: 30 }, { start: 15, end: 20 }, (i) => rendered.has(i))).toBe(21);
    const all = new Set([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    expect(nextToRender({ start: 10, end: 23 }, { start: 15, end: 20 }, (i) => all.has(i))).toBe(-1);
  });

  it('never picks an item outside the range', () => {
    expect(nextToRender({ start: 15, end: 20 }, { start: 15, end: 20 }, (i) => i !== 15)).toBe(15);
    expect(nextToRender({ start: 15, end: 20 }, { start: 15, end: 20 }, () => true)).toBe(-1);
    expect(nextToRender({ start: 0, end: 3 }, { start: 0, end: 2 }, (i) => i < 2)).toBe(2);
    expect(nextToRender({ start: 0, end: 0 }, { start: 0, end: 0 }, () => false)).toBe(-1);
  });
});

describe('indexesToRender', () => {
  it('adds pinned items outside the range in list order, once', () => {
    expect(indexesToRender({ start: 10, end: 13 }, [], 100)).toEqual([10, 11, 12]);
    expect(indexesToRender({ start: 10, end: 13 }, [2, 11, 2, 50], 100)).toEqual([2, 10, 11, 12, 50]);
  });

  it('ignores pins that are no longer in the list', () => {
    expect(indexesToRender({ start: 0, end: 2 }, [-1, 5], 3)).toEqual([0, 1]);
  });
});

describe('scroll anchoring', () => {
  it('keeps the item at the top of the viewport in place when older items are prepended', () => {
    const before = buildLayout(keys(100), () => undefined, 100);
    const anchor = anchorAt(before, 3_030)!;
    expect(anchor).toEqual({ key: 'm30', index: 30, into: 30 });
    const after = buildLayout([...keys(50, 'old'), ...keys(100)], () => undefined, 100);
    expect(scrollTopFor(after, anchor)).toBe(50 * 100 + 3_030);
  });

  it('absorbs height changes above the anchor and ignores those below it', () => {
    const heights: Record<string, number> = {};
    const before = buildLayout(keys(10), (k) => heights[k], 100);
    const anchor = anchorAt(before, 450)!;
    heights.m1 = 340; // above: grows by 240
    heights.m7 = 20; // below: shrinks
    const after = buildLayout(keys(10), (k) => heights[k], 100);
    expect(scrollTopFor(after, anchor)).toBe(690);
  });

  it('anchors on what is seen at the top when an item rendered in full is shorter or taller than its place', () => {
    // m1 was a placeholder of the estimated 160 px and is now rendered and measured at 115 px: the top of
    // the viewport, 121 px into its old place, shows the gap below it and then m2, which must stay put.
    const before = buildLayout(keys(5), () => undefined, 160);
    const shorter = (k: string) => (k === 'm1' ? 115 : undefined);
    const after = buildLayout(keys(5), shorter, 160);
    const anchor = anchorAt(before, 160 + 121, shorter)!;
    expect(anchor).toEqual({ key: 'm2', index: 2, into: 121 - 160 });
    const m2FromTop = before.offsets[2]! - (160 + 121);
    expect(after.offsets[2]! - scrollTopFor(after, anchor)).toBe(m2FromTop);
    // Without the measured heights (or while the top is still within the item), the item itself is the anchor.
    expect(anchorAt(before, 160 + 121)).toEqual({ key: 'm1', index: 1, into: 121 });
    expect(anchorAt(before, 160 + 100, shorter)).toEqual({ key: 'm1', index: 1, into: 100 });
    expect(anchorAt(before, 2 * 160 + 30, shorter)).toEqual({ key: 'm2', index: 2, into: 30 });
    // An item that grew keeps its top in place; one above that grew over the top of the viewport is what is
    // seen there, and it stays put.
    const taller = (k: string) => (k === 'm1' ? 400 : undefined);
    expect(anchorAt(before, 160 + 121, taller)).toEqual({ key: 'm1', index: 1, into: 121 });
    const grownOver = anchorAt(before, 2 * 160 + 30, taller)!;
    expect(grownOver).toEqual({ key: 'm1', index: 1, into: 160 + 30 });
    expect(scrollTopFor(buildLayout(keys(5), taller, 160), grownOver)).toBe(2 * 160 + 30);
    // The last item has nothing after it.
    expect(anchorAt(before, 4 * 160 + 150, (k) => (k === 'm4' ? 20 : undefined))).toEqual({ key: 'm4', index: 4, into: 150 });
  });

  it('falls back to the same index when the anchor item was replaced (a streamed answer got its stored id)', () => {
    const before = buildLayout(['a', 'b', 'local-1'], () => undefined, 100);
    const anchor = anchorAt(before, 250)!;
    const after = buildLayout(['a', 'b', 'stored-1'], (k) => (k === 'a' ? 40 : undefined), 100);
    expect(scrollTopFor(after, anchor)).toBe(190);
  });

  it('keeps a viewport that starts above the list (on what sits before it) where it was', () => {
    const before = buildLayout(keys(5), () => undefined, 100);
    const anchor = anchorAt(before, -40)!;
    expect(anchor).toEqual({ key: 'm0', index: 0, into: -40 });
    const after = buildLayout(keys(5), (k) => (k === 'm0' ? 30 : undefined), 100);
    expect(scrollTopFor(after, anchor)).toBe(-40);
  });

  it('stays within the list when items at the end were removed', () => {
    const before = buildLayout(keys(5), () => undefined, 100);
    const anchor = anchorAt(before, 420)!;
    const after = buildLayout(keys(2), () => undefined, 100);
    expect(scrollTopFor(after, anchor)).toBe(120);
  });
});

describe('HeightCache', () => {
  it('estimates with the mean of first measurements, the fallback before any', () => {
    const cache = new HeightCache(150);
    expect(cache.estimate()).toBe(150);
    cache.set('a', 100);
    cache.set('b', 300);
    expect(cache.estimate()).toBe(200);
    // An item that grows (an answer streaming in) does not move every unmeasured item.
    cache.set('b', 900);
    expect(cache.get('b')).toBe(900);
    expect(cache.estimate()).toBe(200);
  });

  it('keeps the estimate while the mean moves by a tenth or less, so unmeasured items stay put', () => {
    const cache = new HeightCache(150);
    cache.set('a', 100);
    expect(cache.estimate()).toBe(100);
    cache.set('b', 115); // mean 107.5
    expect(cache.estimate()).toBe(100);
    cache.set('c', 130); // mean 115: more than a tenth away
    expect(cache.estimate()).toBe(115);
  });

  it('keeps whole pixels, rounded up, and reports only real changes', () => {
    const cache = new HeightCache(150);
    expect(cache.set('a', 100.2)).toBe(true);
    expect(cache.get('a')).toBe(101);
    expect(cache.set('a', 100.7)).toBe(false);
    expect(cache.set('a', 100)).toBe(true);
    expect(cache.get('a')).toBe(100);
    cache.set('b', 150);
    expect(cache.estimate()).toBe(126); // (101 + 150) / 2 rounded: offsets built from it stay whole
  });

  it('forgets all but the kept heights', () => {
    const cache = new HeightCache(150);
    cache.set('a', 100);
    cache.set('b', 300);
    cache.retainOnly(new Set(['b']));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.estimate()).toBe(300);
  });
});

describe('followsEnd', () => {
  const at = (top: number) => ({ top, scrollHeight: 10_000, clientHeight: 800 }); // end at 9_200

  it('follows at the very end whatever happened before', () => {
    expect(followsEnd(false, 9_000, at(9_200), 80, false)).toBe(true);
    expect(followsEnd(false, 9_300, at(9_200), 80, true)).toBe(true);
  });

  it('lets go as soon as the person scrolls up, even a little', () => {
    expect(followsEnd(true, 9_200, at(9_190), 80, false)).toBe(false);
  });

  it('is not changed by scrolls the list made itself', () => {
    expect(followsEnd(true, 9_200, at(5_000), 80, true)).toBe(true);
    expect(followsEnd(false, 5_000, at(9_150), 80, true)).toBe(false);
  });

  it('takes hold again when the person scrolls down to near the end', () => {
    expect(followsEnd(false, 8_000, at(9_150), 80, false)).toBe(true);
    expect(followsEnd(false, 8_000, at(9_000), 80, false)).toBe(false);
  });
});
