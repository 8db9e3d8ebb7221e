import './ui.css';
import { memo } from 'react';

type IconName = 'database' | 'queue' | 'fetcher' | 'parser' | 'frontier' | 'dns' | 'storage' | 'index' | 'gateway' | 'service';

/** Kinds are free-form; an icon is picked by the words a kind usually contains. */
const KIND_PATTERNS: ReadonlyArray<[RegExp, IconName]> = [
  [/postgres|mysql|sql|db|database|redis|cache/i, 'database'],
  [/queue|kafka|rabbit|nats|stream|broker/i, 'queue'],
  [/fetch|crawl|download|http/i, 'fetcher'],
  [/pars|extract|transform/i, 'parser'],
  [/frontier|schedul|seed|planner/i, 'frontier'],
  [/dns|resolv/i, 'dns'],
  [/stor|s3|blob|bucket|disk/i, 'storage'],
  [/index|search|elastic/i, 'index'],
  [/gateway|proxy|balanc|ingress|api/i, 'gateway'],
];

function iconForKind(kind: string): IconName {
  for (const [pattern, icon] of KIND_PATTERNS) if (pattern.test(kind)) return icon;
  return 'service';
}

const PATHS: Record<IconName, string> = {
  database: 'M3 4c0-1.4 2.2-2.5 5-2.5s5 1.1 5 2.5v8c0 1.4-2.2 2.5-5 2.5S3 13.4 3 12ZM3 4c0 1.4 2.2 2.5 5 2.5S13 5.4 13 4M3 8c0 1.4 2.2 2.5 5 2.5S13 9.4 13 8',
  queue: 'M2 3.5h12M2 8h12M2 12.5h12M11 1.5l3 2-3 2',
  fetcher: 'M8 1.5v9M4.5 7 8 10.5 11.5 7M2.5 14h11',
  parser: 'M5.5 2C3.5 2 4 5 3.5 7 3 8 2 8 2 8s1 0 1.5 1C4 11 3.5 14 5.5 14M10.5 2c2 0 1.5 3 2 5 .5 1 1.5 1 1.5 1s-1 0-1.5 1c-.5 2 0 5-2 5',
  frontier: 'M3.5 15V1.5M3.5 2h9l-2 3 2 3h-9',
  dns: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13ZM1.5 8h13M8 1.5c-2.5 2.5-2.5 10.5 0 13M8 1.5c2.5 2.5 2.5 10.5 0 13',
  storage: 'M2 4.5 8 1.5l6 3v7l-6 3-6-3ZM2 4.5l6 3 6-3M8 7.5v7',
  index: 'M7 2.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9ZM10.2 10.2 14 14',
  gateway: 'M1.5 8h4M10.5 8h4M5.5 4.5h5v7h-5ZM12 5.5 14.5 8 12 10.5',
  service: 'M8 1.5 13.6 4.75v6.5L8 14.5 2.4 11.25v-6.5Z',
};

export const KindIcon = memo(function KindIcon({ kind, size = 16 }: { kind: string; size?: number }) {
  return (
    <svg className="kind-icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        d={PATHS[iconForKind(kind)]}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
});
