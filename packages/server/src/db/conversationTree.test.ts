import { describe, expect, it } from 'vitest';
import { ConversationTree, type TreeNode } from './conversationTree.js';

/** q1 → a1 → q2 → {a2, a2b}; q1 → a1 → q2b → a3; a second root r2. Created in the order listed. */
function sample(): ConversationTree {
  const nodes: Array<[string, string | null]> = [
    ['q1', null], ['a1', 'q1'], ['q2', 'a1'], ['a2', 'q2'], ['q2b', 'a1'], ['a3', 'q2b'], ['a2b', 'q2'], ['r2', null],
  ];
  const rows: TreeNode[] = nodes.map(([id, parent], i) => ({ id, parent_id: parent, created_at: `2026-01-01T00:00:0${i}.000Z` }));
  return new ConversationTree(rows.reverse()); // any input order
}

describe('ConversationTree', () => {
  it('lists siblings in creation order, itself included; roots are siblings of each other', () => {
    const tree = sample();
    expect(tree.siblingIds('q2')).toEqual(['q2', 'q2b']);
    expect(tree.siblingIds('a2b')).toEqual(['a2', 'a2b']);
    expect(tree.siblingIds('a1')).toEqual(['a1']);
    expect(tree.siblingIds('r2')).toEqual(['q1', 'r2']);
    expect(tree.siblingIds('nope')).toEqual([]);
  });

  it('finds the most recently created leaf, of the tree or below a message', () => {
    const tree = sample();
    expect(tree.newestLeaf()).toBe('r2');
    expect(tree.newestLeaf('q1')).toBe('a2b');
    expect(tree.newestLeaf('q2b')).toBe('a3');
    expect(tree.newestLeaf('a2')).toBe('a2');
    expect(new ConversationTree([]).newestLeaf()).toBeNull();
  });

  it('walks the path root → leaf, and takes the stored leaf only when it exists', () => {
    const tree = sample();
    expect(tree.pathTo('a3')).toEqual(['q1', 'a1', 'q2b', 'a3']);
    expect(tree.pathTo(null)).toEqual([]);
    expect(tree.activeLeaf('a3')).toBe('a3');
    expect(tree.activeLeaf('gone')).toBe('r2');
    expect(tree.activeLeaf(null)).toBe('r2');
  });

  it('takes a subtree, parents before children', () => {
    const ids = sample().subtree('a1').map((n) => n.id);
    expect(new Set(ids)).toEqual(new Set(['a1', 'q2', 'a2', 'a2b', 'q2b', 'a3']));
    expect(ids.indexOf('q2')).toBeLessThan(ids.indexOf('a2'));
    expect(sample().subtree('nope')).toEqual([]);
  });

  it('moves the active path to the nearest surviving branch after a delete', () => {
    const tree = sample();
    // The older sibling first, down to its newest leaf…
    expect(tree.leafAfterDeleting('q2b')).toBe('a2b');
    expect(tree.leafAfterDeleting('a2b')).toBe('a2');
    // …else the newer one…
    expect(tree.leafAfterDeleting('q2')).toBe('a3');
    expect(tree.leafAfterDeleting('a2')).toBe('a2b');
    // …else the parent, else nothing.
    expect(tree.leafAfterDeleting('a3')).toBe('q2b');
    expect(new ConversationTree([{ id: 'x', parent_id: null, created_at: 't' }]).leafAfterDeleting('x')).toBeNull();
  });

  it('treats a message whose parent is gone as a root', () => {
    const tree = new ConversationTree([
      { id: 'a', parent_id: 'gone', created_at: '1' },
      { id: 'b', parent_id: 'a', created_at: '2' },
      { id: 'c', parent_id: null, created_at: '3' },
    ]);
    expect(tree.pathTo('b')).toEqual(['a', 'b']);
    expect(tree.siblingIds('a')).toEqual(['a', 'c']);
  });
});
