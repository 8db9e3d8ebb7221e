/** How long the object URL outlives the click: some browsers start reading the blob only after the click returns. */
export const REVOKE_AFTER_MS = 10_000;

/**
 * Saves `text` as a file named `fileName` through a temporary object URL and
 * a link with `download`: no server round trip, and the blob is released
 * once the browser has had time to read it.
 */
export function downloadText(fileName: string, text: string, type = 'text/plain;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
