/**
 * The conversation tree on the page (issue 14): the server answers the active path, and on request
 * every message (`?all=true`); switching to another version of a message is worked out here, from the
 * whole tree, so it shows at once, and the server is told afterwards (POST /branch). The rule is the
 * server's (db/conversationTree.ts): a version shows the path down to its most recently created leaf.
 */
export interface BranchNode {
  id: string;
  parent_id?: string | null;
  created_at: string;
}

function newer(a: BranchNode, b: BranchNode): boolean {
  return a.created_at !== b.created_at ? a.created_at > b.created_at : a.id > b.id;
}

/** `id` and the messages below it down to its most recently created leaf, `id` first; empty when `id` is not in `all`. */
export function pathDown<T extends BranchNode>(all: readonly T[], id: string): T[] {
  const byId = new Map(all.map((node) => [node.id, node]));
  const start = byId.get(id);
  if (!start) return [];
  const children = new Map<string, T[]>();
  for (const node of all) {
    if (!node.parent_id) continue;
    const list = children.get(node.parent_id);
    if (list) list.push(node);
    else children.set(node.parent_id, [node]);
  }
  let leaf: T = start;
  const stack = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const below = children.get(node.id);
    if (below) stack.push(...below);
    else if (newer(node, leaf) || children.has(leaf.id)) leaf = node;
  }
  const path: T[] = [];
  for (let node: T | undefined = leaf; node && path.length <= all.length; node = node.id === id ? undefined : byId.get(node.parent_id ?? '')) path.push(node);
  return path.reverse();
}

/**
 * The messages shown once the version `to` replaces `from` (one of the shown messages, a sibling of
 * `to`): those above `from` stay, then `to` down to its newest leaf. Null when `from` is not shown or
 * `to` is not in the tree.
 */
export function switchedPath<T extends BranchNode>(shown: readonly T[], tree: readonly T[], from: string, to: string): T[] | null {
  const at = shown.findIndex((m) => m.id === from);
  const below = pathDown(tree, to);
  if (at < 0 || below.length === 0) return null;
  return [...shown.slice(0, at), ...below];
}
