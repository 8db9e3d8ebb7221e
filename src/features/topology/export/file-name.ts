/** Names for exported files: `meshwatch-<project>-<yyyymmdd>-<hhmm>.<ext>`, in local time, as the user's clock reads. */

const MAX_PROJECT_LENGTH = 64;

/** Lower-case, runs of anything outside `[a-z0-9._-]` become one `-`; blank becomes `project`. */
export function sanitizeForFileName(text: string): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, MAX_PROJECT_LENGTH)
    // Leading dots would hide the file on Unix; edge dashes are just untidy.
    .replace(/^[.-]+|[.-]+$/g, '');
  return clean === '' ? 'project' : clean;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `exportFileName('demo', 'png', new Date(2026, 11, 7, 6, 13))` → `meshwatch-demo-20261207-0613.png`. */
export function exportFileName(project: string, ext: string, date: Date): string {
  const day = `${date.getFullYear()}${pad2(date.getMonth() + 1)}${pad2(date.getDate())}`;
  const time = `${pad2(date.getHours())}${pad2(date.getMinutes())}`;
  const extension = ext.replace(/^\.+/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
  return `meshwatch-${sanitizeForFileName(project)}-${day}-${time}.${extension}`;
}
