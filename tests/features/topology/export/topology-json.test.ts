import { describe, expect, it } from 'vitest';
import {
  TOPOLOGY_FORMAT,
  topologyToJson,
  type TopologyExportInput,
  type TopologyExportV1,
} from '../../../../src/features/topology/export/topology-json.ts';
import type { MeshEdge, MeshNode } from '../../../../src/protocol/mesh.ts';

const nodes: Record<string, MeshNode> = {
  'parser-2': { id: 'parser-2', label: 'Parser 2', kind: 'parser', status: 'degraded', group: 'parsers', meta: { zone: 'b', cpu: 0.7 } },
  'fetcher-10': { id: 'fetcher-10', label: 'Fetcher 10', kind: 'fetcher', status: 'healthy' },
  Frontier: { id: 'Frontier', label: 'Frontier', kind: 'frontier', status: 'down' },
};
const edges: Record<string, MeshEdge> = {
  'f->p': { id: 'f->p', source: 'fetcher-10', target: 'parser-2', stats: { p95Ms: 87, errorRate: 0.01, rps: 120 } },
  'F->f': { id: 'F->f', source: 'Frontier', target: 'fetcher-10', label: 'urls' },
};
const input: TopologyExportInput = {
  project: 'demo',
  nodes,
  edges,
  positions: new Map([
    ['parser-2', { x: 300.00000000001, y: -12.345 }],
    ['fetcher-10', { x: 150, y: 80 }],
  ]),
  exportedAt: Date.UTC(2026, 11, 7, 6, 13, 0),
  layout: 'layered',
};

const parse = (json: string) => JSON.parse(json) as TopologyExportV1;

describe('topology JSON export', () => {
  it('writes a versioned document with every field present, nulls for what is absent', () => {
    expect(parse(topologyToJson(input))).toEqual({
      format: TOPOLOGY_FORMAT,
      version: 1,
      project: 'demo',
      exportedAt: '2026-12-07T06:13:00.000Z',
      layout: 'layered',
      nodes: [
        { id: 'Frontier', label: 'Frontier', kind: 'frontier', group: null, status: 'down', meta: null, position: null },
        { id: 'fetcher-10', label: 'Fetcher 10', kind: 'fetcher', group: null, status: 'healthy', meta: null, position: { x: 150, y: 80 } },
        {
          id: 'parser-2', label: 'Parser 2', kind: 'parser', group: 'parsers', status: 'degraded',
          meta: { cpu: 0.7, zone: 'b' }, position: { x: 300, y: -12.3 },
        },
      ],
      edges: [
        { id: 'F->f', source: 'Frontier', target: 'fetcher-10', label: 'urls', stats: null },
        { id: 'f->p', source: 'fetcher-10', target: 'parser-2', label: null, stats: { rps: 120, errorRate: 0.01, p95Ms: 87 } },
      ],
    });
  });

  it('sorts by id in code-unit order, whatever order the store holds things in', () => {
    const reversed: TopologyExportInput = {
      ...input,
      nodes: Object.fromEntries(Object.entries(nodes).reverse()),
      edges: Object.fromEntries(Object.entries(edges).reverse()),
      positions: new Map([...input.positions].reverse()),
    };
    const json = topologyToJson(reversed);
    expect(json).toBe(topologyToJson(input));
    // Upper case sorts before lower case, in every locale.
    expect(parse(json).nodes.map((n) => n.id)).toEqual(['Frontier', 'fetcher-10', 'parser-2']);
  });

  it('writes meta and stats keys in one order, so unchanged data never shows in a diff', () => {
    const json = topologyToJson(input);
    expect(json.indexOf('"cpu"')).toBeLessThan(json.indexOf('"zone"'));
    expect(json.indexOf('"rps"')).toBeLessThan(json.indexOf('"errorRate"'));
    expect(json.indexOf('"errorRate"')).toBeLessThan(json.indexOf('"p95Ms"'));
  });

  it('pretty-prints with two spaces and ends with a newline', () => {
    const json = topologyToJson(input);
    expect(json.startsWith('{\n  "format": "meshwatch.topology",\n  "version": 1,\n')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
  });

  it('round-trips: the parsed export gives back the mesh it came from', () => {
    const parsed = parse(topologyToJson(input));
    for (const node of parsed.nodes) {
      const original = nodes[node.id]!;
      expect(node.label).toBe(original.label);
      expect(node.kind).toBe(original.kind);
      expect(node.status).toBe(original.status);
      expect(node.group ?? undefined).toBe(original.group);
      expect(node.meta ?? undefined).toEqual(original.meta);
    }
    for (const edge of parsed.edges) {
      const original = edges[edge.id]!;
      expect([edge.source, edge.target, edge.label ?? undefined]).toEqual([original.source, original.target, original.label]);
      expect(edge.stats ?? undefined).toEqual(original.stats);
    }
    expect(parsed.nodes).toHaveLength(Object.keys(nodes).length);
    expect(parsed.edges).toHaveLength(Object.keys(edges).length);
  });

  it('exports an empty mesh', () => {
    const parsed = parse(topologyToJson({ ...input, nodes: {}, edges: {}, positions: new Map() }));
    expect(parsed.nodes).toEqual([]);
    expect(parsed.edges).toEqual([]);
  });
});
