/**
 * A conversation is a tree of messages linked by `parent_id`; one path of it, root → the active leaf,
 * is the conversation as shown and as the model sees it. These are the tree's rules, on the messages'
 * ids, parents and creation times alone (no content), for the rare operations that need the whole
 * tree: switching branches, deleting a subtree, exporting. The hot listing walks the same rules in SQL
 * (messageRepo.ts).
 *
 * A message whose parent is not in the tree (a row left by a delete before trees existed) counts as a
 * root, as the SQL walk up stops there too.
 */
export interface TreeNode {
  id: string;
  parent_id: string | null;
  created_at: string;
}

/** Creation order: (created_at, id), ids being uuid v7 (monotonic within a millisecond). */
export function byCreation(a: TreeNode, b: TreeNode): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A tree's nodes indexed for the functions below; build it once per operation. */
export class ConversationTree<Node extends TreeNode = TreeNode> {
  readonly nodes: readonly Node[];
  private readonly byId = new Map<string, Node>();
  /** Children of each node in creation order; key null: the roots. */
  private readonly children = new Map<string | null, Node[]>();

  constructor(nodes: readonly Node[]) {
    this.nodes = [...nodes].sort(byCreation);
    for (const node of this.nodes) this.byId.set(node.id, node);
    for (const node of this.nodes) {
      const key = this.parentOf(node);
      const list = this.children.get(key);
      if (list) list.push(node);
      else this.children.set(key, [node]);
    }
  }

  get(id: string): Node | undefined {
    return this.byId.get(id);
  }

  /** The node's parent id, null for a root (or a node whose parent is gone). */
  private parentOf(node: TreeNode): string | null {
    return node.parent_id !== null && this.byId.has(node.parent_id) ? node.parent_id : null;
  }

  /** The ids of the node and its siblings (the children of its parent), in creation order. */
  siblingIds(id: string): string[] {
    const node = this.byId.get(id);
    if (!node) return [];
    return (this.children.get(this.parentOf(node)) ?? []).map((n) => n.id);
  }

  /** The node and everything below it, parents before children. */
  subtree(id: string): Node[] {
    const root = this.byId.get(id);
    if (!root) return [];
    const out: Node[] = [];
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      out.push(node);
      stack.push(...(this.children.get(node.id) ?? []));
    }
    return out;
  }

  /** The most recently created leaf below `id` (itself when it has no children); of the whole tree without `id`. Null for an empty tree. */
  newestLeaf(id?: string): string | null {
    const candidates = id === undefined ? this.nodes : this.subtree(id);
    let newest: Node | null = null;
    for (const node of candidates) {
      if (this.children.has(node.id)) continue;
      if (newest === null || byCreation(node, newest) > 0) newest = node;
    }
    return newest?.id ?? null;
  }

  /** The active leaf: the stored one when it is a message of this tree, else the most recently created leaf. */
  activeLeaf(storedLeafId: string | null): string | null {
    return storedLeafId !== null && this.byId.has(storedLeafId) ? storedLeafId : this.newestLeaf();
  }

  /** The ids from the root down to `id` (inclusive); empty when it is not in the tree. */
  pathTo(id: string | null): string[] {
    const path: string[] = [];
    let node = id === null ? undefined : this.byId.get(id);
    while (node && path.length <= this.nodes.length) {
      path.push(node.id);
      const parent = this.parentOf(node);
      node = parent === null ? undefined : this.byId.get(parent);
    }
    return path.reverse();
  }

  /**
   * Where the active path goes once `deletedId`'s subtree is gone: the nearest surviving branch. That
   * is the sibling created just before it (else just after it), down to its most recently created
   * leaf; without siblings, its parent; null when nothing is left.
   */
  leafAfterDeleting(deletedId: string): string | null {
    const node = this.byId.get(deletedId);
    if (!node) return this.newestLeaf();
    const siblings = this.siblingIds(deletedId);
    const at = siblings.indexOf(deletedId);
    const nearest = siblings[at - 1] ?? siblings[at + 1];
    if (nearest !== undefined) return this.newestLeaf(nearest);
    return this.parentOf(node);
  }
}

/** The messages from the root down to the active leaf (the stored one when it is in the tree, else the newest leaf). */
export function activePathOf<Node extends TreeNode>(nodes: readonly Node[], storedLeafId: string | null): Node[] {
  const tree = new ConversationTree(nodes);
  return tree.pathTo(tree.activeLeaf(storedLeafId)).map((id) => tree.get(id)!);
}
