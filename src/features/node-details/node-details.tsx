import './node-details.css';
import { memo, useMemo } from 'react';
import { formatMs, formatPercent, formatRate } from '../../lib/format.ts';
import { useShown } from '../../store/shown.ts';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { KindIcon } from '../../ui/kind-icon.tsx';
import { Panel } from '../../ui/panel.tsx';
import { StatusGlyph } from '../../ui/status-glyph.tsx';
import { nodeById, selectTopologyVersion } from '../../store/selectors.ts';
import { edgeById, edgeIdsOf, nodeLabelById } from './selectors.ts';
import { edgeHealth } from '../../lib/edge-health.ts';
import { RecentEvents } from './recent-events.tsx';
import { StatusHistory } from './status-history.tsx';

interface NodeDetailsProps {
  nodeId: string;
  onClose: () => void;
}

/** The selected node: what it is, its status and how it changed, its metadata, the traffic on its edges and its latest events. */
export function NodeDetails({ nodeId, onClose }: NodeDetailsProps) {
  const node = useShown(useMemo(() => nodeById(nodeId), [nodeId]));
  const topologyVersion = useShown(selectTopologyVersion);
  // Which edges touch the node changes only with the structure (`topologyVersion`, read from the
  // store rather than subscribed to); each row follows its own stats.
  const { incoming, outgoing } = useMemo(
    () => edgeIdsOf(useShown.getState(), nodeId),
    [nodeId, topologyVersion],
  );
  const meta = node?.meta ? Object.entries(node.meta).sort(([a], [b]) => a.localeCompare(b)) : [];

  return (
    <Panel
      className="node-details"
      title={
        <>
          {node && <KindIcon kind={node.kind} />}
          <span className="node-details__name">{node?.label || nodeId}</span>
        </>
      }
      actions={
        <button type="button" className="button" onClick={onClose} aria-label="Close node details">
          Close
        </button>
      }
    >
      {node ? (
        <div className="node-details__body">
          <dl className="node-details__facts">
            <dt>status</dt>
            <dd className="node-details__status" data-status={node.status}>
              <StatusGlyph status={node.status} /> {node.status}
            </dd>
            <dt>kind</dt>
            <dd>{node.kind}</dd>
            {node.group !== undefined && (
              <>
                <dt>group</dt>
                <dd>{node.group}</dd>
              </>
            )}
            <dt>id</dt>
            <dd className="mono">{node.id}</dd>
            {meta.map(([key, value]) => (
              <MetaEntry key={key} name={key} value={value} />
            ))}
          </dl>
          <StatusHistory nodeId={nodeId} />
          <EdgeList title="Incoming" ids={incoming} nodeId={nodeId} />
          <EdgeList title="Outgoing" ids={outgoing} nodeId={nodeId} />
          <RecentEvents nodeId={nodeId} />
        </div>
      ) : (
        <p className="panel__empty">This node is no longer in the mesh.</p>
      )}
    </Panel>
  );
}

function MetaEntry({ name, value }: { name: string; value: string | number }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

function EdgeList({ title, ids, nodeId }: { title: string; ids: string[]; nodeId: string }) {
  return (
    <section className="node-details__edges" aria-label={`${title} edges`}>
      <h3>
        {title} <span className="panel__count">{ids.length}</span>
      </h3>
      {ids.length > 0 ? (
        <ul>
          {ids.map((id) => (
            <EdgeRow key={id} id={id} nodeId={nodeId} />
          ))}
        </ul>
      ) : (
        <p className="node-details__none">none</p>
      )}
    </section>
  );
}

const EdgeRow = memo(function EdgeRow({ id, nodeId }: { id: string; nodeId: string }) {
  const edge = useShown(useMemo(() => edgeById(id), [id]));
  const peerId = edge ? (edge.source === nodeId ? edge.target : edge.source) : null;
  const peerLabel = useShown(useMemo(() => nodeLabelById(peerId ?? ''), [peerId]));
  const select = useSelection(selectSelect);
  if (!edge || peerId === null) return null;
  const stats = edge.stats;
  const health = edgeHealth(stats);
  const failing = health === 'degraded' || health === 'failing';
  return (
    <li className="edge-row" data-failing={failing || undefined}>
      <button type="button" className="edge-row__peer" onClick={() => select(peerId)} title={`Select ${peerId}`}>
        {edge.source === nodeId ? '→' : '←'} {peerLabel || peerId}
      </button>
      {stats ? (
        <span className="edge-row__stats">
          <span>{formatRate(stats.rps)}</span>
          <span className="edge-row__errors">{formatPercent(stats.errorRate)} err</span>
          <span>p95 {formatMs(stats.p95Ms)}</span>
        </span>
      ) : (
        <span className="edge-row__stats">no traffic yet</span>
      )}
    </li>
  );
});
