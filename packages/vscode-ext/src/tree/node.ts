/** How a node shows in a tree, without depending on `vscode` (the adapter turns it into a TreeItem). */
export interface ItemSpec {
  /** Stable across refreshes, so expansion and selection survive a reload. */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** A codicon id, e.g. `pass` or `account`. */
  readonly icon?: string;
  /** A theme colour id for the icon, e.g. `testing.iconPassed`. */
  readonly iconColor?: string;
  /** Matched by `viewItem` in `when` clauses of package.json menus. */
  readonly contextValue?: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
}

/** A node of one of the Gatehouse trees. */
export abstract class TreeNode {
  abstract item(): ItemSpec;

  children(): TreeNode[] {
    return [];
  }
}

/** A leaf that only informs ("no role here"). */
export class InfoNode extends TreeNode {
  constructor(
    private readonly id: string,
    private readonly label: string,
    private readonly icon = 'info',
  ) {
    super();
  }

  item(): ItemSpec {
    return { id: this.id, label: this.label, icon: this.icon, collapsible: 'none', contextValue: 'info' };
  }
}
