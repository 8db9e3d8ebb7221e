import { describe, expect, it } from 'vitest';
import {
  FIND_FIELDS,
  MAX_FIND_DEPTH,
  isEmptyFind,
  matchesFind,
  parseFindExpression,
  type FindExpr,
  type FindSubject,
} from '../../../../src/features/topology/find/find-expression.ts';
import { mulberry32 } from '../../../../src/lib/prng.ts';

const SUBJECTS: FindSubject[] = [
  {
    id: 'frontier',
    label: 'Crawl API',
    kind: 'frontier',
    status: 'healthy',
    rps: 1500,
    errorRate: 0.004,
    p95Ms: 120,
    meta: { region: 'eu-west', shards: 4 },
  },
  {
    id: 'fetcher-01',
    label: 'Fetcher 01',
    kind: 'fetcher',
    group: 'fetchers',
    status: 'degraded',
    rps: 240,
    errorRate: 0.035,
    p95Ms: 480,
    meta: { region: 'us-east', shards: '2' },
  },
  {
    id: 'fetcher-02',
    label: 'Fetcher 02',
    kind: 'fetcher',
    group: 'fetchers',
    status: 'down',
    rps: 0,
    errorRate: 1,
    p95Ms: 0,
    meta: { region: 'eu-west', shards: 'many' },
  },
  { id: 'fetcher-10', label: 'Fetcher 10', kind: 'fetcher', group: 'fetchers', status: 'healthy', rps: 99, errorRate: 0.01, p95Ms: 1200 },
  { id: 'pg-main', label: 'Postgres (primary)', kind: 'postgres', group: 'storage', status: 'healthy', rps: 800, errorRate: 0, p95Ms: 35 },
  { id: 'cache', label: 'Größe Café', kind: 'redis', status: 'starting', rps: 100, errorRate: 0.02, p95Ms: 1000 },
];

const ALL = SUBJECTS.map((subject) => subject.id);

function parse(text: string): FindExpr {
  const result = parseFindExpression(text);
  if (!result.ok) throw new Error(`"${text}" did not parse: ${result.error} at ${result.at}`);
  return result.expr;
}

function found(text: string): string[] {
  const expr = parse(text);
  return SUBJECTS.filter((subject) => matchesFind(expr, subject)).map((subject) => subject.id);
}

describe('find expressions', () => {
  it.each<[string, string[]]>([
    // Text search: id, label, kind or group, any case, substring.
    ['fetcher', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    ['CRAWL', ['frontier']],
    ['"crawl api"', ['frontier']],
    ["'postgres (primary)'", ['pg-main']],
    ['storage', ['pg-main']],
    ['GRÖSSE', []],
    ['größe', ['cache']],
    ['GRÖßE', ['cache']],
    ['café', ['cache']],
    ['fetch*10', ['fetcher-10']],
    ['nothing-like-this', []],
    // Equality: case-insensitive, whole value, * globs.
    ['id=fetcher-01', ['fetcher-01']],
    ['id==FETCHER-01', ['fetcher-01']],
    ['id=fetcher', []],
    ['id=fetcher-0*', ['fetcher-01', 'fetcher-02']],
    ['id=*-0*', ['fetcher-01', 'fetcher-02']],
    ['id=*1', ['fetcher-01']],
    ['id=f*r*0', ['fetcher-10']],
    ['id=*', ALL],
    ['id!=fetcher-0*', ['frontier', 'fetcher-10', 'pg-main', 'cache']],
    ['kind=fetcher', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    ['kind = postgres', ['pg-main']],
    // Aliases for field names, any case.
    ['name~"crawl api"', ['frontier']],
    ['label~"crawl api"', ['frontier']],
    ['type=redis', ['cache']],
    ['STATE=starting', ['cache']],
    ['Kind=FETCHER', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    // Contains and not-contains.
    ['label~fetch', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    ['label!~fetch', ['frontier', 'pg-main', 'cache']],
    ['label~"(primary)"', ['pg-main']],
    ['label~ä', []],
    ['id~er-1', ['fetcher-10']],
    // Groups: an ungrouped node has the empty group.
    ['group=fetchers', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    ['group=""', ['frontier', 'cache']],
    ['group!=fetchers', ['frontier', 'pg-main', 'cache']],
    ['group=fetchers or kind=postgres', ['fetcher-01', 'fetcher-02', 'fetcher-10', 'pg-main']],
    // Status.
    ['status=healthy', ['frontier', 'fetcher-10', 'pg-main']],
    ['status!=healthy', ['fetcher-01', 'fetcher-02', 'cache']],
    ['status=DOWN', ['fetcher-02']],
    ['status=d*', ['fetcher-01', 'fetcher-02']],
    ['status~grad', ['fetcher-01']],
    // Numbers: every operator.
    ['rps=240', ['fetcher-01']],
    ['rps==0', ['fetcher-02']],
    ['rps!=0', ['frontier', 'fetcher-01', 'fetcher-10', 'pg-main', 'cache']],
    ['rps>=100', ['frontier', 'fetcher-01', 'pg-main', 'cache']],
    ['rps>100', ['frontier', 'fetcher-01', 'pg-main']],
    ['rps<100', ['fetcher-02', 'fetcher-10']],
    ['rps<=100', ['fetcher-02', 'fetcher-10', 'cache']],
    ['rps>1.5k', []],
    ['rps>=1.5K', ['frontier']],
    ['rps>.5k', ['frontier', 'pg-main']],
    ['rps > -1', ALL],
    ['traffic>1000', ['frontier']],
    ['throughput>1000', ['frontier']],
    ['req>1000', ['frontier']],
    // Errors: a bare number is a percentage, as is one with %.
    ['errors > 2%', ['fetcher-01', 'fetcher-02']],
    ['errors > 2', ['fetcher-01', 'fetcher-02']],
    ['errors>=2', ['fetcher-01', 'fetcher-02', 'cache']],
    ['errors=0', ['pg-main']],
    ['errors<0.5%', ['frontier', 'pg-main']],
    ['errors >= 100%', ['fetcher-02']],
    ['error>50', ['fetcher-02']],
    ['errorRate>50', ['fetcher-02']],
    ['ERR>50', ['fetcher-02']],
    ['kind=fetcher and errors > 2%', ['fetcher-01', 'fetcher-02']],
    // Latency in ms, with ms and s units.
    ['p95 > 250ms', ['fetcher-01', 'fetcher-10', 'cache']],
    ['p95>250', ['fetcher-01', 'fetcher-10', 'cache']],
    ['latency>1s', ['fetcher-10']],
    ['latency>=1s', ['fetcher-10', 'cache']],
    ['p95ms<0.1s', ['fetcher-02', 'pg-main']],
    ['p95 < 1.2S', ['frontier', 'fetcher-01', 'fetcher-02', 'pg-main', 'cache']],
    // Meta: numbers when both sides are numbers, text rules otherwise; a missing key is unequal to all.
    ['meta.region=eu-west', ['frontier', 'fetcher-02']],
    ['META.region=EU-*', ['frontier', 'fetcher-02']],
    ['meta.region!=eu-west', ['fetcher-01', 'fetcher-10', 'pg-main', 'cache']],
    ['meta.region~east', ['fetcher-01']],
    ['meta.shards>3', ['frontier']],
    ['meta.shards>=2', ['frontier', 'fetcher-01']],
    ['meta.shards=2.0', ['fetcher-01']],
    ['meta.shards=many', ['fetcher-02']],
    ['meta.shards~4', ['frontier']],
    ['meta.toString=x', []],
    ['meta.__proto__!=x', ALL],
    // Precedence: not binds tightest, then and, then or.
    ['kind=redis or kind=fetcher and status=down', ['fetcher-02', 'cache']],
    ['(kind=redis or kind=fetcher) and status=down', ['fetcher-02']],
    ['kind=fetcher and status=down or kind=redis', ['fetcher-02', 'cache']],
    ['not status=healthy', ['fetcher-01', 'fetcher-02', 'cache']],
    ['NOT status=healthy and kind=fetcher', ['fetcher-01', 'fetcher-02']],
    ['not (status=healthy and kind=fetcher)', ['frontier', 'fetcher-01', 'fetcher-02', 'pg-main', 'cache']],
    ['not not kind=redis', ['cache']],
    ['!kind=fetcher', ['frontier', 'pg-main', 'cache']],
    ['!(kind=fetcher || kind=redis)', ['frontier', 'pg-main']],
    ['kind=fetcher && rps>0 || kind=redis', ['fetcher-01', 'fetcher-10', 'cache']],
    ['((kind=fetcher))', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    // Two terms side by side mean and; it binds like and.
    ['kind=fetcher status=healthy', ['fetcher-10']],
    ['fetcher 0', ['fetcher-01', 'fetcher-02', 'fetcher-10']],
    ['fetcher 02', ['fetcher-02']],
    ['kind=redis or kind=fetcher rps>200', ['fetcher-01', 'cache']],
    ['kind=fetcher (status=down or status=degraded)', ['fetcher-01', 'fetcher-02']],
    ['kind=fetcher !status=healthy', ['fetcher-01', 'fetcher-02']],
    // Keywords are words only unquoted; in value position they are plain values.
    ['"and"', []],
    ['kind=or', []],
    ['kind=NOT or kind=redis', ['cache']],
  ])('%s finds %j', (text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ['"crawl api', 'unterminated quote', 0],
    ['label~"crawl', 'unterminated quote', 6],
    ["kind='fetcher", 'unterminated quote', 5],
    ['rps>', 'expected a value after >', 3],
    ['rps >= ', 'expected a value after >=', 4],
    ['id=(x)', 'expected a value after =', 2],
    ['=fetcher', 'expected a field before =', 0],
    ['kind=fetcher and', 'expected a term after and', 13],
    ['kind=fetcher ||', 'expected a term after ||', 13],
    ['kind=fetcher or )', 'expected a term after or', 13],
    ['not', 'expected a term after not', 0],
    ['kind=redis !', 'expected a term after !', 11],
    ['and kind=redis', 'expected a term before and', 0],
    ['|| kind=redis', 'expected a term before ||', 0],
    ['(kind=fetcher', 'unclosed (', 0],
    ['((a) or (b)', 'unclosed (', 0],
    ['kind=fetcher)', 'unmatched )', 12],
    [')', 'unmatched )', 0],
    ['()', 'empty parentheses', 0],
    ['(kind = b = c)', 'unexpected "="', 10],
    ['kind = b = c', 'unexpected "="', 9],
    ['a = b', 'unknown field "a"', 0],
    ['a & b', 'write && or and', 2],
    ['a | b', 'write || or or', 2],
    ['colour=red', 'unknown field "colour": try id, label, kind, group, status, rps, errors, p95, meta.<key>', 0],
    ['kind=x and colour>3', 'unknown field "colour"', 11],
    ['meta=3', 'unknown field "meta"', 0],
    ['meta.=3', 'meta needs a key', 5],
    ['"kind"=fetcher', 'write the field name without quotes', 0],
    ['status=sick', 'status is one of healthy, degraded, down, starting, unknown', 7],
    ['status!=fine', 'status is one of', 8],
    ['status=x*', 'status is one of', 7],
    ['status~zzz', 'status is one of', 7],
    ['label>3', 'label is text: compare it with =, !=, ~ or !~', 5],
    ['status<=healthy', 'status is text', 6],
    ['rps~3', 'rps is a number: compare it with =, !=, >, >=, <, <=', 3],
    ['errors!~3', 'errors is a number', 6],
    ['rps>lots', 'rps takes a number, like 100 or 1.5k', 4],
    ['rps>5ms', 'rps takes a number', 4],
    ['rps>1,000', 'rps takes a number', 4],
    ['rps>1_000', 'rps takes a number', 4],
    ['errors>2ms', 'errors takes a percentage', 7],
    ['p95>fast', 'p95 takes a duration, like 250ms or 1.5s', 4],
    ['p95>3%', 'p95 takes a duration', 4],
    ['p95>3m', 'p95 takes a duration', 4],
    ['meta.shards>many', 'meta.shards > needs a number', 12],
    ['Or OR AND', 'expected a term before Or', 0],
  ])('refuses %s: %s (at %i)', (text, message, at) => {
    const result = parseFindExpression(text);
    expect(result).toMatchObject({ ok: false, at });
    if (!result.ok) expect(result.error).toContain(message);
  });

  it.each(['', '   ', '\t\n'])('reads blank text %j as an empty find that matches everything', (text) => {
    const expr = parse(text);
    expect(isEmptyFind(expr)).toBe(true);
    expect(SUBJECTS.every((subject) => matchesFind(expr, subject))).toBe(true);
  });

  it('tells an empty find from one that matches everything by chance', () => {
    expect(isEmptyFind(parse('id=*'))).toBe(false);
  });

  it('reads a backslash inside quotes as taking the next character literally', () => {
    const expr = parse(String.raw`label="say \"hi\" \\ now"`);
    expect(matchesFind(expr, { ...SUBJECTS[0]!, label: 'Say "hi" \\ now' })).toBe(true);
    expect(matchesFind(expr, { ...SUBJECTS[0]!, label: 'say hi now' })).toBe(false);
  });

  it('keeps parsed numbers in the subject’s own units', () => {
    expect(parse('errors>2%')).toEqual({ t: 'number', field: 'errors', op: 'gt', value: 0.02 });
    expect(parse('latency<=1.5s')).toEqual({ t: 'number', field: 'p95', op: 'le', value: 1500 });
    expect(parse('rps!=1.5k')).toEqual({ t: 'number', field: 'rps', op: 'ne', value: 1500 });
  });

  it('refuses nesting past its depth limit instead of overflowing the stack', () => {
    const deep = '('.repeat(10_000) + 'a' + ')'.repeat(10_000);
    expect(parseFindExpression(deep)).toMatchObject({ ok: false, error: expect.stringContaining('nested') });
    expect(parseFindExpression('!'.repeat(10_000) + 'a')).toMatchObject({ ok: false });
    const fine = '('.repeat(MAX_FIND_DEPTH) + 'kind=redis' + ')'.repeat(MAX_FIND_DEPTH);
    expect(found(fine)).toEqual(['cache']);
  });

  it('parses a long chain of terms without recursion trouble', () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => `id=n${i}`).join(' or ');
    const expr = parse(`${chain} or id=cache`);
    expect(SUBJECTS.filter((subject) => matchesFind(expr, subject)).map((s) => s.id)).toEqual(['cache']);
  });

  it('never throws on random text made of the grammar’s characters', () => {
    const random = mulberry32(20_240_611);
    const pieces = [
      ' ', '(', ')', '"', "'", '\\', '=', '!', '<', '>', '~', '&', '|', '*', '%', '.', ',', '-', '_',
      'a', 'k', 's', 'ms', '0', '1', '2.5', 'and', 'or', 'not', 'AND', 'id', 'label', 'kind', 'group',
      'status', 'healthy', 'rps', 'errors', 'p95', 'meta.', 'meta.region', 'ü', '\u{1F600}', '\uD800',
    ];
    let parsed = 0;
    for (let round = 0; round < 2_000; round++) {
      const length = Math.floor(random() * 24);
      let text = '';
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const result = parseFindExpression(text);
      if (result.ok) {
        parsed++;
        for (const subject of SUBJECTS) expect(typeof matchesFind(result.expr, subject)).toBe('boolean');
      } else {
        expect(result.at).toBeGreaterThanOrEqual(0);
        expect(result.at).toBeLessThanOrEqual(text.length);
        expect(result.error).not.toBe('');
      }
    }
    // The generator should reach both sides, or it tests little.
    expect(parsed).toBeGreaterThan(50);
    expect(parsed).toBeLessThan(2_000);
  });

  it('lists every field with its aliases for the help text', () => {
    expect(FIND_FIELDS.map((field) => field.name)).toEqual(['id', 'label', 'kind', 'group', 'status', 'rps', 'errors', 'p95', 'meta.<key>']);
    expect(FIND_FIELDS.find((field) => field.name === 'rps')?.aliases).toEqual(['traffic', 'throughput', 'req']);
    for (const field of FIND_FIELDS.filter((each) => each.type !== 'meta')) {
      const comparison = field.type === 'number' ? '>1' : '=healthy';
      for (const name of [field.name, ...field.aliases]) expect(parseFindExpression(name + comparison).ok, name).toBe(true);
    }
  });
});
