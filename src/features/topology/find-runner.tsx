/**
 * Runs the find expression over the mesh: on every change of the expression
 * or the structure at once, and twice a second while one is active (a find
 * on live numbers, `errors > 2%`, follows the traffic). Publishes the set of
 * matching drawn ids only when it changed, so nodes re-render only when their
 * own mark flips.
 */
import { useEffect, useMemo } from 'react';
import { useShown } from '../../store/shown.ts';
import { isEmptyFind, matchesFind, parseFindExpression, type FindExpr, type FindSubject } from './find/find-expression.ts';
import { useFindResult } from './find-store.ts';
import type { GraphStructure } from './graph-structure.ts';
import { nodeMetrics } from './live-metrics.ts';
import { useTopologyView } from './view-store.ts';
import { groupOfNode } from './visible-graph.ts';

const REFRESH_MS = 500;

export function evaluateFind(expr: FindExpr, structure: GraphStructure): Set<string> {
  const { nodes, edges } = useShown.getState();
  const matches = new Set<string>();
  const subject: FindSubject = { id: '', label: '', kind: '', status: '', rps: 0, errorRate: 0, p95Ms: 0 };
  for (const id of Object.keys(nodes)) {
    const node = nodes[id]!;
    const metrics = nodeMetrics(edges, structure.nodeInbound.get(id) ?? [], structure.nodeOutbound.get(id) ?? []);
    subject.id = id;
    subject.label = node.label;
    subject.kind = node.kind;
    subject.group = groupOfNode(node);
    subject.status = node.status;
    subject.rps = metrics.rps;
    subject.errorRate = metrics.errorRate;
    subject.p95Ms = metrics.p95Ms;
    subject.meta = node.meta;
    if (!matchesFind(expr, subject)) continue;
    matches.add(id);
    // A folded group matches when any member does.
    const drawn = structure.graph.drawnAs.get(id);
    if (drawn !== undefined && drawn !== id) matches.add(drawn);
  }
  return matches;
}

const sameSet = (a: ReadonlySet<string> | null, b: ReadonlySet<string>) => a !== null && a.size === b.size && [...b].every((id) => a.has(id));

export function FindRunner({ structure }: { structure: GraphStructure }) {
  const text = useTopologyView((s) => s.params.find);
  const mode = useTopologyView((s) => s.params.mode);
  const parsed = useMemo(() => parseFindExpression(text), [text]);

  useEffect(() => {
    const { setResult } = useFindResult.getState();
    if (!parsed.ok) {
      // Half-typed (`kind=`): say what is wrong, and keep the last good matches rather than flash the whole mesh back.
      setResult(useFindResult.getState().matches, { message: parsed.error, at: parsed.at });
      return;
    }
    if (isEmptyFind(parsed.expr)) {
      setResult(null, null);
      return;
    }
    const expr = parsed.expr;
    const run = () => {
      const matches = evaluateFind(expr, structure);
      const previous = useFindResult.getState();
      if (!sameSet(previous.matches, matches) || previous.error) setResult(matches, null);
      return matches;
    };
    run();
    const timer = setInterval(run, REFRESH_MS);
    return () => clearInterval(timer);
  }, [parsed, structure]);

  // Focus mode: a new expression (or switching to focus) brings its matches into view.
  useEffect(() => {
    if (mode !== 'focus' || !parsed.ok || isEmptyFind(parsed.expr)) return;
    const matches = useFindResult.getState().matches;
    if (matches && matches.size > 0) useTopologyView.getState().requestFit([...matches]);
    // Only on a new expression or mode: not every time the structure changes.
  }, [parsed, mode]);

  return null;
}
