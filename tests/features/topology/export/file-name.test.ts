import { describe, expect, it } from 'vitest';
import { exportFileName, sanitizeForFileName } from '../../../../src/features/topology/export/file-name.ts';

describe('export file names', () => {
  // Local time: the name matches the clock the user sees.
  const at = new Date(2026, 11, 7, 6, 13, 59);

  it.each([
    ['demo', 'png', 'meshwatch-demo-20261207-0613.png'],
    ['demo', '.json', 'meshwatch-demo-20261207-0613.json'],
    ['Crawl Prod', 'PNG', 'meshwatch-crawl-prod-20261207-0613.png'],
    ['team/α β?*', 'png', 'meshwatch-team-20261207-0613.png'],
    ['../../etc', 'png', 'meshwatch-etc-20261207-0613.png'],
    ['v1.2_final', 'png', 'meshwatch-v1.2_final-20261207-0613.png'],
    ['   ', 'png', 'meshwatch-project-20261207-0613.png'],
  ])('names an export of %j as .%s', (project, ext, expected) => {
    expect(exportFileName(project, ext, at)).toBe(expected);
  });

  it('pads months, days, hours and minutes', () => {
    expect(exportFileName('demo', 'png', new Date(2027, 0, 2, 3, 4))).toBe('meshwatch-demo-20270102-0304.png');
  });

  it('keeps only [a-z0-9._-], and no more than 64 characters of the project', () => {
    const name = sanitizeForFileName(`${'Ab#'.repeat(40)}`);
    expect(name).toMatch(/^[a-z0-9._-]+$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });
});
