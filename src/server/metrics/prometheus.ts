/**
 * A small writer of Prometheus' text exposition format, version 0.0.4: each
 * family is a `# HELP` and a `# TYPE` line followed by its samples, label
 * values and help text escaped as the format says. Names are checked as they
 * are written: a bad one is a bug here, not something to send to a scraper.
 */

/** The Content-Type of a response written with PrometheusWriter. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string | number>>;

/** One value of a family, with its labels (none: the family's one unlabelled sample). */
export interface Sample {
  labels?: Labels;
  value: number;
}

/** A histogram's cumulative buckets (`count` observations at or below `le`), their sum and count. */
export interface HistogramValue {
  buckets: readonly { le: number; count: number }[];
  sum: number;
  count: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Collects families, then `toString()` is the response body. */
export class PrometheusWriter {
  private readonly lines: string[] = [];
  private readonly families = new Set<string>();

  /** A value that only goes up (resets only when the process restarts). Its name ends in `_total`. */
  counter(name: string, help: string, value: number | readonly Sample[]): this {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    return this.family(name, 'counter', help, value);
  }

  /** A value that goes up and down. */
  gauge(name: string, help: string, value: number | readonly Sample[]): this {
    return this.family(name, 'gauge', help, value);
  }

  /** `<name>_bucket{le=...}` for each bucket and `+Inf`, `<name>_sum` and `<name>_count`. */
  histogram(name: string, help: string, histogram: HistogramValue, labels: Labels = {}): this {
    if ('le' in labels) throw new Error(`histogram ${name} cannot have a label named le`);
    this.header(name, 'histogram', help);
    for (const bucket of histogram.buckets) {
      this.sample(`${name}_bucket`, { ...labels, le: formatValue(bucket.le) }, bucket.count);
    }
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, histogram.count);
    this.sample(`${name}_sum`, labels, histogram.sum);
    this.sample(`${name}_count`, labels, histogram.count);
    return this;
  }

  /** The exposition: every family written, ending with a newline. */
  toString(): string {
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }

  private family(name: string, type: 'counter' | 'gauge', help: string, value: number | readonly Sample[]): this {
    this.header(name, type, help);
    const samples = typeof value === 'number' ? [{ value }] : value;
    for (const sample of samples) this.sample(name, sample.labels ?? {}, sample.value);
    return this;
  }

  private header(name: string, type: string, help: string): void {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    if (this.families.has(name)) throw new Error(`metric ${name} written twice`);
    this.families.add(name);
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  private sample(name: string, labels: Labels, value: number): void {
    const pairs = Object.entries(labels).map(([label, labelValue]) => {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(label)} on ${name}`);
      return `${label}="${escapeLabelValue(String(labelValue))}"`;
    });
    this.lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
  }
}

/** A label value as the format wants it between its quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

/** Help text: backslash and line feed escaped (a double quote stays as it is). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'));
}

/** A sample value: integers as they are, `NaN`, `+Inf` and `-Inf` spelled as the format does. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Counts `values` into cumulative buckets with the given upper bounds
 * (ascending): what `histogram` takes, for a distribution measured all at
 * once (e.g. over the current connections) rather than observed over time.
 */
export function histogramOf(values: Iterable<number>, bounds: readonly number[]): HistogramValue {
  const counts = new Array<number>(bounds.length).fill(0);
  let sum = 0;
  let count = 0;
  for (const value of values) {
    sum += value;
    count++;
    // Few bounds: a scan is cheaper than a search.
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        counts[i]!++;
        break;
      }
    }
  }
  let cumulative = 0;
  const buckets = bounds.map((le, i) => ({ le, count: (cumulative += counts[i]!) }));
  return { buckets, sum, count };
}
