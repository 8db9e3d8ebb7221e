// Seed 004's store verbatim (one `set` per message, spread and slice), minus `devtools`, typed for our envelopes and wrapped in a factory for fresh instances.
import { create } from 'zustand';
import type { MeshNode, MeshEdge } from '../../src/protocol/mesh.ts';
import type { Envelope as WsMessage } from '../../src/protocol/messages.ts';

export interface RealtimeState {
  status: 'connecting' | 'open' | 'closed' | 'error';
  nodes: Record<string, MeshNode>;
  edges: Record<string, MeshEdge>;
  events: Array<{ ts: number; message: string; severity: string; nodeId?: string }>;
  charts: Record<string, Array<{ t: number; y: number }>>;
  logs: Record<string, string[]>;
  
  // Actions
  setConnection: (status: RealtimeState['status']) => void;
  apply: (message: WsMessage) => void;
  clearNode: (id: string) => void;
  clearEdge: (id: string) => void;
  clearEvents: () => void;
}

export const createSeedReferenceStore = () => create<RealtimeState>()(
    (set, get) => ({
      status: 'connecting',
      nodes: {},
      edges: {},
      events: [],
      charts: {},
      logs: {},

      setConnection: (status) => set({ status }),

      apply: (message) => {
        const state = get();
        
        switch (message.data.type) {
          case 'node-upsert': {
            const { node } = message.data;
            set({
              nodes: { ...state.nodes, [node.id]: node }
            });
            break;
          }

          case 'node-status': {
            const { id, status } = message.data;
            if (state.nodes[id]) {
              set({
                nodes: {
                  ...state.nodes,
                  [id]: { ...state.nodes[id], status }
                }
              });
            }
            break;
          }

          case 'node-delete': {
            const { [message.data.id]: removed, ...rest } = state.nodes;
            set({ nodes: rest });
            break;
          }

          case 'edge-upsert': {
            const { edge } = message.data;
            set({
              edges: { ...state.edges, [edge.id]: edge }
            });
            break;
          }

          case 'edge-stats': {
            const { id, stats } = message.data;
            if (state.edges[id]) {
              set({
                edges: {
                  ...state.edges,
                  [id]: { ...state.edges[id], stats }
                }
              });
            }
            break;
          }

          case 'event': {
            const newEvent = {
              ts: message.ts,
              message: message.data.message,
              severity: message.data.severity,
              nodeId: message.data.nodeId
            };
            const events = [newEvent, ...state.events].slice(0, 2000);
            set({ events });
            break;
          }

          case 'log-chunk': {
            const { nodeId, text } = message.data;
            const logs = { ...state.logs };
            logs[nodeId] = [...(logs[nodeId] || []), text].slice(-1000);
            set({ logs });
            break;
          }

          case 'chart-point': {
            const { series, value } = message.data;
            const charts = { ...state.charts };
            charts[series] = [...(charts[series] || []), value].slice(-600);
            set({ charts });
            break;
          }
        }
      },

      clearNode: (id) => {
        const { [id]: removed, ...rest } = get().nodes;
        set({ nodes: rest });
      },

      clearEdge: (id) => {
        const { [id]: removed, ...rest } = get().edges;
        set({ edges: rest });
      },

      clearEvents: () => set({ events: [] })
    })
);

export type SeedReferenceStore = ReturnType<typeof createSeedReferenceStore>;
