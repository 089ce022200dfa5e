import { describe, expect, it } from 'vitest';
import { pathDown, switchedPath, type BranchNode } from './branches';

// q1 → a1 → {q2 → a2, q2b → {a3, a3b}}, created in this order.
const nodes: BranchNode[] = [
  ['q1', null], ['a1', 'q1'], ['q2', 'a1'], ['a2', 'q2'], ['q2b', 'a1'], ['a3', 'q2b'], ['a3b', 'q2b'],
].map(([id, parent_id], i) => ({ id: id!, parent_id, created_at: `2026-01-01T00:00:0${i}.000Z` }));
const ids = (list: BranchNode[] | null) => list?.map((n) => n.id);

describe('branches', () => {
  it('goes down from a message to its most recently created leaf', () => {
    expect(ids(pathDown(nodes, 'q2b'))).toEqual(['q2b', 'a3b']);
    expect(ids(pathDown(nodes, 'q1'))).toEqual(['q1', 'a1', 'q2b', 'a3b']);
    expect(ids(pathDown(nodes, 'a2'))).toEqual(['a2']);
    expect(pathDown(nodes, 'nope')).toEqual([]);
  });

  it('switches a shown message to a sibling version, keeping what is above it', () => {
    const shown = nodes.filter((n) => ['q1', 'a1', 'q2', 'a2'].includes(n.id));
    expect(ids(switchedPath(shown, nodes, 'q2', 'q2b'))).toEqual(['q1', 'a1', 'q2b', 'a3b']);
    expect(ids(switchedPath(shown, nodes, 'a2', 'a2'))).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(switchedPath(shown, nodes, 'a3', 'a3b')).toBeNull();
    expect(switchedPath(shown, nodes, 'q2', 'missing')).toBeNull();
  });
});
