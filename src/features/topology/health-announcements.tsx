/**
 * Says health changes out loud, politely and at most every few seconds
 * (health-announcer.ts decides what and when, and summarises many changes
 * as counts). A snapshot replacing the mesh (a new connection, a project
 * starting over) is not news: only changes within one stream count.
 */
import { useEffect, useState } from 'react';
import type { MeshNode } from '../../protocol/mesh.ts';
import { useRealtime } from '../../store/realtime.ts';
import { LiveRegion } from '../../ui/live-region.tsx';
import { HealthAnnouncer } from './health-announcer.ts';

export function HealthAnnouncements() {
  const [message, setMessage] = useState<{ text: string | null; revision: number }>({ text: null, revision: 0 });

  useEffect(() => {
    const announcer = new HealthAnnouncer();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const schedule = () => {
      if (timer) return;
      const due = announcer.nextDueIn();
      if (due === null) return;
      timer = setTimeout(() => {
        timer = null;
        const text = announcer.take();
        if (text) setMessage((m) => ({ text, revision: m.revision + 1 }));
        schedule();
      }, due);
    };
    const stop = useRealtime.subscribe((state, previous) => {
      if (state.nodes === previous.nodes) return;
      if (state.stream.snapshots !== previous.stream.snapshots || state.stream.epoch !== previous.stream.epoch) return;
      const before: Readonly<Record<string, MeshNode>> = previous.nodes;
      const changes: Array<{ id: string; label: string; from: MeshNode['status'] | null; to: MeshNode['status'] | null }> = [];
      for (const id of Object.keys(state.nodes)) {
        const node = state.nodes[id]!;
        const old = before[id];
        if (old === node) continue;
        if (!old || old.status !== node.status) changes.push({ id, label: node.label || id, from: old?.status ?? null, to: node.status });
      }
      for (const id of Object.keys(before)) {
        if (!(id in state.nodes)) changes.push({ id, label: before[id]!.label || id, from: before[id]!.status, to: null });
      }
      for (const change of changes) announcer.note(change);
      if (changes.length > 0) schedule();
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, []);

  return <LiveRegion message={message.text} revision={message.revision} />;
}
