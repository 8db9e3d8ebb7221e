/**
 * Hands a blob to the browser as a download: an object URL on a temporary
 * `<a download>`, clicked, then removed.
 *
 * The URL is revoked a while later rather than at once: some browsers
 * (Firefox, older Safari) read the blob after `click()` returns, and a URL
 * revoked too early gives an empty or failed download.
 */
export const REVOKE_AFTER_MS = 10_000;

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
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
