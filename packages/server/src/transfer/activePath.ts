/** The fields of a message the tree is made of. */
export interface TreeNode {
  id: string;
  parent_id: string | null;
}

/**
 * The active path of a conversation tree, root first: from `activeLeafId` (or, when it is null or names
 * no message, the most recently created leaf — the last leaf in `nodes`, which are oldest first) up
 * through the parents.
 */
export function activePath<T extends TreeNode>(nodes: readonly T[], activeLeafId: string | null): T[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  let leaf = activeLeafId === null ? undefined : byId.get(activeLeafId);
  if (!leaf) {
    const parents = new Set(nodes.map((node) => node.parent_id));
    leaf = nodes.findLast((node) => !parents.has(node.id));
  }
  const path: T[] = [];
  const seen = new Set<string>();
  for (let node = leaf; node && !seen.has(node.id); node = node.parent_id === null ? undefined : byId.get(node.parent_id)) {
    seen.add(node.id);
    path.push(node);
  }
  return path.reverse();
}
