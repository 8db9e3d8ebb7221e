/**
 * Every group with two or more nodes, and whether it is folded: the way to
 * fold or unfold one group by hand (the automatic choice folds only the
 * largest, and only past 300 nodes).
 */
import type { GraphStructure } from './graph-structure.ts';
import { useTopologyView } from './view-store.ts';

export function GroupsMenu({ structure }: { structure: GraphStructure }) {
  const expandedAll = useTopologyView((s) => s.params.expanded.includes('*'));
  const groups = [...structure.graph.groups.values()].sort((a, b) => b.members.length - a.members.length || (a.name < b.name ? -1 : 1));
  if (groups.length === 0) return null;
  const view = useTopologyView.getState;
  const folded = groups.filter((g) => g.collapsed).length;
  return (
    <details className="groups-menu">
      <summary className="button">
        groups{folded > 0 ? ` · ${folded} folded` : ''}
      </summary>
      <div className="groups-menu__panel">
        <ul aria-label="Groups">
          {groups.map((g) => (
            <li key={g.name}>
              <label>
                <input type="checkbox" checked={g.collapsed} onChange={(e) => view().setGroupCollapsed(g.name, e.target.checked)} /> {g.name}{' '}
                <span className="groups-menu__count">× {g.members.length}</span>
              </label>
            </li>
          ))}
        </ul>
        <div className="groups-menu__actions">
          <button type="button" className="button" onClick={() => view().expandAll()} disabled={expandedAll && folded === 0}>
            Unfold all
          </button>
          <button type="button" className="button" onClick={() => view().automaticGroups()}>
            Automatic
          </button>
        </div>
      </div>
    </details>
  );
}
