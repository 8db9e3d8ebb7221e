/** Formatting shared by every view, so a time or a rate reads the same everywhere. */

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `hh:mm:ss` in local time, 24-hour: the feed, the charts' axes and the stale marker all use it. */
export function formatClock(ts: number): string {
  const date = new Date(ts);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** `hh:mm:ss.mmm`, for log lines, where several share a second. */
export function formatClockMs(ts: number): string {
  const ms = new Date(ts).getMilliseconds();
  return `${formatClock(ts)}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}`;
}

/** A compact number: 412, 4.1k, 12k, 3.4M. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1_000) return Number.isInteger(value) ? String(value) : value.toFixed(abs < 10 ? 1 : 0);
  if (abs < 10_000) return `${(value / 1_000).toFixed(1)}k`;
  if (abs < 1_000_000) return `${Math.round(value / 1_000)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** A throughput such as `412/s`. */
export function formatRate(perSecond: number): string {
  return `${formatCompact(perSecond)}/s`;
}

/** A ratio in [0, 1] as a percentage: `0.4 %` below 1 %, whole numbers above 10 %. */
export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  if (percent === 0) return '0 %';
  if (percent < 10) return `${percent.toFixed(1)} %`;
  return `${Math.round(percent)} %`;
}

/** A latency such as `87 ms` or `1.2 s`. */
export function formatMs(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}
