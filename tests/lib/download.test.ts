// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REVOKE_AFTER_MS, downloadBlob } from '../../src/lib/download.ts';

beforeEach(() => {
  vi.useFakeTimers();
  // jsdom has no object URLs.
  URL.createObjectURL = vi.fn(() => 'blob:meshwatch/1');
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('download', () => {
  it('clicks a temporary link to an object URL of the blob, then removes it and later revokes the URL', () => {
    const blob = new Blob(['{}'], { type: 'application/json' });
    const clicked: Array<{ href: string; download: string; inDocument: boolean }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download, inDocument: document.body.contains(this) });
    });

    downloadBlob('meshwatch-demo-20261207-0613.json', blob);

    expect(URL.createObjectURL).toHaveBeenCalledWith(blob);
    expect(clicked).toEqual([{ href: 'blob:meshwatch/1', download: 'meshwatch-demo-20261207-0613.json', inDocument: true }]);
    expect(document.querySelectorAll('a')).toHaveLength(0);
    // The browser may still be reading the blob: the URL outlives the click.
    expect(URL.revokeObjectURL).not.toHaveBeenCalled();
    vi.advanceTimersByTime(REVOKE_AFTER_MS);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:meshwatch/1');
  });

  it('cleans up even when the click throws', () => {
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {
      throw new Error('blocked');
    });
    expect(() => downloadBlob('x.png', new Blob())).toThrow('blocked');
    expect(document.querySelectorAll('a')).toHaveLength(0);
    vi.advanceTimersByTime(REVOKE_AFTER_MS);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:meshwatch/1');
  });
});
