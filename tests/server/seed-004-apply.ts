/**
 * Seed 004's `apply` (src/store/realtime.ts in the seed), without zustand:
 * the same switch, the same quirks (node-delete keeps the node's edges,
 * edge-delete and progress are unknown). The floor tests feed it what a
 * seed-004 client would receive, `JSON.parse(event.data)` and all.
 */
interface SeedState {
  nodes: Record<string, { id: string; status?: string } & Record<string, unknown>>;
  edges: Record<string, { id: string; stats?: unknown } & Record<string, unknown>>;
  events: Array<{ ts: unknown; message: string; severity: string; nodeId?: string }>;
  charts: Record<string, unknown[]>;
  logs: Record<string, string[]>;
}

// The seed's messages are untyped JSON: `any` is the point here.
export function createSeedStore(): { state: SeedState; apply: (message: any) => void } {
  const state: SeedState = { nodes: {}, edges: {}, events: [], charts: {}, logs: {} };
  const apply = (message: any) => {
    switch (message.data.type) {
      case 'node-upsert': {
        const { node } = message.data;
        state.nodes = { ...state.nodes, [node.id]: node };
        break;
      }
      case 'node-status': {
        const { id, status } = message.data;
        if (state.nodes[id]) state.nodes = { ...state.nodes, [id]: { ...state.nodes[id]!, status } };
        break;
      }
      case 'node-delete': {
        const { [message.data.id]: _removed, ...rest } = state.nodes;
        state.nodes = rest;
        break;
      }
      case 'edge-upsert': {
        const { edge } = message.data;
        state.edges = { ...state.edges, [edge.id]: edge };
        break;
      }
      case 'edge-stats': {
        const { id, stats } = message.data;
        if (state.edges[id]) state.edges = { ...state.edges, [id]: { ...state.edges[id]!, stats } };
        break;
      }
      case 'event': {
        const event = { ts: message.ts, message: message.data.message, severity: message.data.severity, nodeId: message.data.nodeId };
        state.events = [event, ...state.events].slice(0, 2000);
        break;
      }
      case 'log-chunk': {
        const { nodeId, text } = message.data;
        state.logs = { ...state.logs, [nodeId]: [...(state.logs[nodeId] || []), text].slice(-1000) };
        break;
      }
      case 'chart-point': {
        const { series, value } = message.data;
        state.charts = { ...state.charts, [series]: [...(state.charts[series] || []), value].slice(-600) };
        break;
      }
    }
  };
  return { state, apply };
}
