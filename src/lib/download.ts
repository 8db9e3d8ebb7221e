/**
 * Hands a blob to the browser as a download: an object URL on a temporary
 * `<a download>`, clicked, then removed. No server round trip.
 *
 * The URL is revoked a while later rather than at once: some browsers
 * (Firefox, older Safari) read the blob after `click()` returns, and a URL
 * revoked too early gives an empty or failed download.
 */
export const REVOKE_AFTER_MS = 10_000;

export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
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

/** Saves `text` as a file named `fileName`. */
export function downloadText(fileName: string, text: string, type = 'text/plain;charset=utf-8'): void {
  downloadBlob(fileName, new Blob([text], { type }));
}
