/**
 * React Flow's node and edge arrays, kept apart from the mesh's live numbers.
 *
 * The arrays change only when the structure does (a node or edge came, went
 * or was rewired; a group folded; a layout answered; a find in "hide" mode
 * changed what matches), never for a status or a stat: those are read by each
 * node and edge component on its own. On a rebuild, every node whose position
 * and data are unchanged keeps its object, so React Flow (which compares by
 * identity) skips it and keeps its measurements.
 *
 * Positions come from the layout worker. A node the worker has not placed yet
 * is not drawn (for the few milliseconds an incremental layout takes); while a
 * new view's first layout runs, the previous drawing stays.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { MarkerType, Position, applyNodeChanges, type Edge, type Node, type NodeChange } from '@xyflow/react';
import { useShown } from '../../store/shown.ts';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { selectTopologyVersion } from '../../store/selectors.ts';
import { buildStructure, EMPTY_STRUCTURE, type GraphStructure } from './graph-structure.ts';
import { useFindResult } from './find-store.ts';
import { createLayoutClient, type LayoutClient } from './layout/layout-client.ts';
import type { XY } from './layout/layered.ts';
import { LAYOUT_ALGORITHMS, type LayoutAlgorithm } from './layout/protocol.ts';
import { NODE_SIZE } from './node-size.ts';
import { loadPins, savePins, withPin } from './pins.ts';
import { selectCollapseChoice, selectLayout, useTopologyView } from './view-store.ts';

/**
 * Nothing live, nothing that changes when a neighbour does: a node's object
 * (and so its rendering) changes only with its own position.
 */
export interface MeshNodeData extends Record<string, unknown> {
  /** Wall-clock ms the node first appeared in a graph already on screen; 0 for the first drawing. */
  appearedAt: number;
}
export interface GroupNodeData extends MeshNodeData {
  group: string;
  members: readonly string[];
  /** Mesh edges into and out of the group from outside: what its box sums. */
  inbound: readonly string[];
  outbound: readonly string[];
}
export interface GhostNodeData extends Record<string, unknown> {
  label: string;
}
export interface MeshEdgeData extends Record<string, unknown> {
  members: readonly string[];
  appearedAt: number;
}

export type MeshNodeFlowNode = Node<MeshNodeData, 'mesh'>;
export type GroupFlowNode = Node<GroupNodeData, 'meshGroup'>;
export type GhostFlowNode = Node<GhostNodeData, 'ghost'>;
export type MeshFlowNode = MeshNodeFlowNode | GroupFlowNode | GhostFlowNode;
export type MeshEdgeFlowEdge = Edge<MeshEdgeData, 'mesh'>;
export type GhostFlowEdge = Edge<Record<string, never>, 'ghost'>;
export type MeshFlowEdge = MeshEdgeFlowEdge | GhostFlowEdge;

/**
 * Every card's size and handles, known before React Flow measures them: a
 * node handed to React Flow again (zooming in past the bulk-drawing
 * threshold) is culled at once instead of being rendered first to be measured.
 */
const KNOWN_SIZE = {
  width: NODE_SIZE.width,
  height: NODE_SIZE.height,
  handles: [
    { type: 'target' as const, position: Position.Left, x: -3, y: NODE_SIZE.height / 2 - 3, width: 6, height: 6 },
    { type: 'source' as const, position: Position.Right, x: NODE_SIZE.width - 3, y: NODE_SIZE.height / 2 - 3, width: 6, height: 6 },
  ],
};

/** One marker for every edge: React Flow renders one `<marker>` per distinct definition. */
const ARROW = { type: MarkerType.ArrowClosed, width: 14, height: 14, color: '#8b93a1' } as const;
/** How long a node or edge that left stays drawn, fading, so the eye catches what went. */
export const GHOST_MS = 1_600;
/** A larger departure (a project starting over) is not worth a ghost per node. */
const MAX_GHOSTS = 100;
const NO_EDGE_DATA: Record<string, never> = Object.freeze({}) as Record<string, never>;

interface Positions {
  key: string;
  map: ReadonlyMap<string, XY>;
}
interface Ghost {
  position: XY;
  label: string;
  /** Wall-clock ms after which it is gone. */
  until: number;
}
interface GhostEdge {
  source: string;
  target: string;
  until: number;
}
interface Ghosts {
  nodes: ReadonlyMap<string, Ghost>;
  edges: ReadonlyMap<string, GhostEdge>;
}
const NO_GHOSTS: Ghosts = { nodes: new Map(), edges: new Map() };

interface Inputs {
  structure: GraphStructure;
  /** The layout and the folded groups: which positions fit. */
  viewKey: string;
  positions: Positions | null;
  hidden: ReadonlySet<string> | null;
  ghosts: Ghosts;
}
interface FlowGraph {
  inputs: Inputs | null;
  nodes: MeshFlowNode[];
  edges: MeshFlowEdge[];
  /** The positions `nodes` were built from (a newer layout for another view may have arrived since). */
  positions: ReadonlyMap<string, XY>;
}

const sameList = (a: readonly string[], b: readonly string[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
const EMPTY: readonly string[] = Object.freeze([]) as readonly string[];

const viewKeyOf = (algorithm: LayoutAlgorithm, structure: GraphStructure) => `${algorithm}\n${structure.layoutKey}`;

function rebuild(previous: FlowGraph, inputs: Inputs): FlowGraph {
  const { structure, viewKey, positions, hidden, ghosts } = inputs;
  // An empty mesh (a project starting over) draws nothing, whatever was drawn before.
  if (structure.graph.nodeIds.length === 0) return { inputs, nodes: [], edges: [], positions: new Map() };
  // A new view whose layout has not answered yet: keep drawing the old one.
  if (!positions || positions.key !== viewKey) return { ...previous, inputs };
  // What was not drawn before, in a view that was already drawn, has just appeared: it glows.
  const sameView = previous.nodes.length > 0 && previous.inputs?.positions?.key === positions.key;
  const now = sameView ? Date.now() : 0;
  const { nodes } = useShown.getState();
  const before = new Map(previous.nodes.map((node) => [node.id, node]));
  const drawn = new Set<string>();
  const flowNodes: MeshFlowNode[] = [];
  for (const id of structure.graph.nodeIds) {
    const position = positions.map.get(id);
    if (!position || (hidden && !hidden.has(id))) continue;
    drawn.add(id);
    const old = before.get(id);
    const oldData = old && old.type !== 'ghost' ? (old.data as MeshNodeData) : undefined;
    const appearedAt = oldData?.appearedAt ?? now;
    const group = structure.graph.boxes.get(id);
    if (group !== undefined) {
      const members = structure.graph.groups.get(group)?.members ?? EMPTY;
      const inbound = structure.inbound.get(id) ?? EMPTY;
      const outbound = structure.outbound.get(id) ?? EMPTY;
      const data: GroupNodeData =
        old?.type === 'meshGroup' && sameList(old.data.members, members) && sameList(old.data.inbound, inbound) && sameList(old.data.outbound, outbound)
          ? old.data
          : { group, members, inbound, outbound, appearedAt };
      flowNodes.push(reuse(old, { id, type: 'meshGroup', position, data, ariaLabel: `${group} group`, ...KNOWN_SIZE }));
    } else {
      const data: MeshNodeData = old?.type === 'mesh' ? old.data : { appearedAt };
      flowNodes.push(reuse(old, { id, type: 'mesh', position, data, ariaLabel: nodes[id]?.label || id, ...KNOWN_SIZE }));
    }
  }
  for (const [id, ghost] of ghosts.nodes) {
    if (drawn.has(id)) continue;
    drawn.add(id);
    const old = before.get(id);
    flowNodes.push(reuse(old, { id, type: 'ghost', position: ghost.position, data: { label: ghost.label }, selectable: false, draggable: false, ariaLabel: `${ghost.label}, removed` }));
  }

  const beforeEdges = new Map(previous.edges.map((edge) => [edge.id, edge]));
  const flowEdges: MeshFlowEdge[] = [];
  const drawnEdges = new Set<string>();
  for (const edge of structure.graph.edges) {
    if (!drawn.has(edge.source) || !drawn.has(edge.target)) continue;
    drawnEdges.add(edge.id);
    const old = beforeEdges.get(edge.id);
    if (old?.type === 'mesh' && old.source === edge.source && old.target === edge.target && sameList(old.data!.members, edge.members)) {
      flowEdges.push(old);
      continue;
    }
    const data: MeshEdgeData = { members: edge.members, appearedAt: old?.type === 'mesh' ? old.data!.appearedAt : now };
    flowEdges.push({ id: edge.id, type: 'mesh', source: edge.source, target: edge.target, data, markerEnd: ARROW, focusable: false });
  }
  for (const [id, ghost] of ghosts.edges) {
    if (drawnEdges.has(id) || !drawn.has(ghost.source) || !drawn.has(ghost.target)) continue;
    const old = beforeEdges.get(id);
    flowEdges.push(old?.type === 'ghost' ? old : { id, type: 'ghost', source: ghost.source, target: ghost.target, data: NO_EDGE_DATA, focusable: false, selectable: false });
  }
  return { inputs, nodes: flowNodes, edges: flowEdges, positions: positions.map };
}

/** The previous object when nothing React Flow compares has changed; else the new one, keeping its measurements. */
function reuse<T extends MeshFlowNode>(old: MeshFlowNode | undefined, next: T): T {
  if (
    old &&
    old.type === next.type &&
    old.data === next.data &&
    old.ariaLabel === next.ariaLabel &&
    old.position.x === next.position.x &&
    old.position.y === next.position.y
  ) {
    return old as T;
  }
  return old ? ({ ...old, ...next } as T) : next;
}

export interface FlowGraphState {
  nodes: MeshFlowNode[];
  edges: MeshFlowEdge[];
  structure: GraphStructure;
  onNodesChange: (changes: NodeChange<MeshFlowNode>[]) => void;
  /** Forgets pins and remembered layouts for this project and lays out afresh. */
  resetLayout: () => void;
  /** Where each drawn node is, for keyboard moves and exports. */
  positions: ReadonlyMap<string, XY>;
  /** `answers` counts layouts received, for auto-fit. */
  layoutState: { pending: boolean; answers: number };
}

export function useFlowGraph(project: string): FlowGraphState {
  const version = useShown(selectTopologyVersion);
  const choiceKey = useTopologyView(selectCollapseChoice);
  const algorithm = useTopologyView(selectLayout);
  const findMatches = useFindResult((s) => s.matches);
  const hideMode = useTopologyView((s) => s.params.mode === 'hide');
  const select = useSelection(selectSelect);

  const structure = useMemo(() => {
    const { nodes, edges } = useShown.getState();
    const { expanded, collapsed } = useTopologyView.getState().params;
    return version === 0 ? EMPTY_STRUCTURE : buildStructure(nodes, edges, { expanded, collapsed });
    // `choiceKey` stands for expanded/collapsed, read above from the store.
  }, [version, choiceKey]);

  // Read by the change handler, which must not be rebuilt for every structure.
  const boxesRef = useRef(structure.graph.boxes);
  boxesRef.current = structure.graph.boxes;

  // What left since the last structure of the same view stays a moment as a
  // ghost. Each ghost carries its own expiry, so churn faster than a ghost's
  // life never leaves one behind.
  const [ghosts, setGhosts] = useState<Ghosts>(NO_GHOSTS);
  const previousStructure = useRef<GraphStructure | null>(null);
  const lastPositions = useRef<ReadonlyMap<string, XY>>(new Map());
  const lastLabels = useRef<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    const before = previousStructure.current;
    previousStructure.current = structure;
    if (!before || before.layoutKey !== structure.layoutKey || before.graph.nodeIds.length === 0) {
      // Another view (groups folded or unfolded) or a new mesh: nothing to fade out.
      setGhosts(NO_GHOSTS);
      return;
    }
    const nowIds = new Set(structure.graph.nodeIds);
    const nowEdges = new Set(structure.graph.edges.map((e) => e.id));
    const until = Date.now() + GHOST_MS;
    const goneNodes = new Map<string, Ghost>();
    for (const id of before.graph.nodeIds) {
      const position = lastPositions.current.get(id);
      if (!nowIds.has(id) && position) goneNodes.set(id, { position, label: lastLabels.current.get(id) ?? id, until });
    }
    const goneEdges = new Map<string, GhostEdge>();
    for (const edge of before.graph.edges) if (!nowEdges.has(edge.id)) goneEdges.set(edge.id, { source: edge.source, target: edge.target, until });
    if (goneNodes.size > MAX_GHOSTS) return;
    // Thousands of edges rewired at once would each become a React Flow edge for a moment: no ghosts then.
    if (goneEdges.size > MAX_GHOSTS * 3) goneEdges.clear();
    if (goneNodes.size + goneEdges.size === 0) return;
    setGhosts((g) => ({
      // A node that came back is no ghost.
      nodes: new Map([...[...g.nodes].filter(([id]) => !nowIds.has(id)), ...goneNodes]),
      edges: new Map([...[...g.edges].filter(([id]) => !nowEdges.has(id)), ...goneEdges]),
    }));
  }, [structure]);
  // One timer, to the earliest expiry; each new set of ghosts reschedules it.
  useEffect(() => {
    if (ghosts === NO_GHOSTS) return;
    let earliest = Infinity;
    for (const ghost of ghosts.nodes.values()) earliest = Math.min(earliest, ghost.until);
    for (const ghost of ghosts.edges.values()) earliest = Math.min(earliest, ghost.until);
    const timer = setTimeout(() => {
      const now = Date.now();
      setGhosts((g) => {
        const nodes = new Map([...g.nodes].filter(([, ghost]) => ghost.until > now));
        const edges = new Map([...g.edges].filter(([, ghost]) => ghost.until > now));
        return nodes.size + edges.size === 0 ? NO_GHOSTS : { nodes, edges };
      });
    }, Math.max(0, earliest - Date.now()));
    return () => clearTimeout(timer);
  }, [ghosts]);

  // Pins: per project and layout, from local storage.
  const [pins, setPins] = useState(() => ({ algorithm, map: loadPins(project, algorithm) }));
  const currentPins = pins.algorithm === algorithm ? pins : { algorithm, map: loadPins(project, algorithm) };
  if (currentPins !== pins) setPins(currentPins);

  const [client, setClient] = useState<LayoutClient | null>(null);
  useEffect(() => {
    const created = createLayoutClient();
    setClient(created);
    return () => created.dispose();
  }, []);

  const [positions, setPositions] = useState<Positions | null>(null);
  const viewKeyRef = useRef('');
  viewKeyRef.current = viewKeyOf(algorithm, structure);
  const [layoutState, setLayoutState] = useState<FlowGraphState['layoutState']>({ pending: false, answers: 0 });
  const [layoutEpoch, setLayoutEpoch] = useState(0);
  useEffect(() => {
    if (!client || structure.graph.nodeIds.length === 0) return;
    setLayoutState((s) => (s.pending ? s : { ...s, pending: true }));
    const key = viewKeyOf(algorithm, structure);
    // Answers come in order and a superseded job answers null, so every answer
    // is the newest for its view; one for the same view as now still places
    // what it can (rebuild skips ids it has no position for).
    client
      .layout({
        key,
        algorithm,
        nodeIds: structure.graph.nodeIds,
        edges: structure.layoutEdges,
        groups: structure.groupPairs,
        pins: [...currentPins.map],
      })
      .then(
        (response) => {
          if (!response || client.disposed) return;
          const map = new Map<string, XY>();
          response.ids.forEach((id, i) => map.set(id, { x: response.xy[i * 2]!, y: response.xy[i * 2 + 1]! }));
          setPositions({ key, map });
          // An answer for a view the user has left is kept (coming back is cheap) but is not this view's layout.
          if (key === viewKeyRef.current) setLayoutState((s) => ({ pending: false, answers: s.answers + 1 }));
        },
        (error: unknown) => {
          console.error('meshwatch:', error);
          if (!client.disposed) setLayoutState((s) => ({ ...s, pending: false }));
        },
      );
    // `currentPins.map` changes identity only when a pin is added or reset.
  }, [client, structure, algorithm, currentPins.map, layoutEpoch]);

  const [graph, setGraph] = useState<FlowGraph>({ inputs: null, nodes: [], edges: [], positions: new Map() });
  const viewKey = viewKeyOf(algorithm, structure);
  const inputs = graph.inputs;
  const hidden = hideMode ? findMatches : null;
  let current = graph;
  if (
    !inputs ||
    inputs.structure !== structure ||
    inputs.viewKey !== viewKey ||
    inputs.positions !== positions ||
    inputs.hidden !== hidden ||
    inputs.ghosts !== ghosts
  ) {
    // Derived during render (React's "adjust state when a prop changes"), so
    // the new structure and the components that read it commit together.
    current = rebuild(graph, { structure, viewKey, positions, hidden, ghosts });
    setGraph(current);
  }
  if (positions) lastPositions.current = positions.map;
  if (current !== graph || lastLabels.current.size === 0) lastLabels.current = new Map(current.nodes.map((n) => [n.id, n.ariaLabel ?? n.id]));

  const onNodesChange = useCallback(
    (changes: NodeChange<MeshFlowNode>[]) => {
      const applied: NodeChange<MeshFlowNode>[] = [];
      const dropped: Array<{ id: string; position: XY }> = [];
      for (const change of changes) {
        // Selection lives in the selection store; nodes leave only when the
        // mesh says so. Only sizes and dragged positions apply to the arrays.
        if (change.type === 'select' && change.selected && !boxesRef.current.has(change.id)) select(change.id);
        else if (change.type === 'position' || change.type === 'dimensions') applied.push(change);
        if (change.type === 'position' && change.position && change.dragging === false) dropped.push({ id: change.id, position: change.position });
      }
      if (applied.length > 0) setGraph((g) => ({ ...g, nodes: applyNodeChanges(applied, g.nodes) }));
      if (dropped.length === 0) return;
      // Where a drag ends, the node stays: in this layout, for this project, across reloads.
      setPins((p) => {
        let map = p.map;
        for (const { id, position } of dropped) map = withPin(map, id, position);
        savePins(project, p.algorithm, map);
        return { ...p, map };
      });
      setPositions((p) => {
        if (!p) return p;
        const map = new Map(p.map);
        for (const { id, position } of dropped) map.set(id, position);
        return { ...p, map };
      });
    },
    [select, project],
  );

  const resetLayout = useCallback(() => {
    for (const layout of LAYOUT_ALGORITHMS) savePins(project, layout, new Map());
    setPins({ algorithm: useTopologyView.getState().params.layout, map: new Map() });
    // Carried by the next job, so a layout still running cannot bring old positions back.
    client?.reset();
    setLayoutEpoch((n) => n + 1);
  }, [client, project]);

  return {
    nodes: current.nodes,
    edges: current.edges,
    structure,
    onNodesChange,
    resetLayout,
    positions: current.positions,
    layoutState,
  };
}
