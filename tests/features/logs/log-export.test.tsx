// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeLogs } from '../../../src/features/logs/node-logs.tsx';
import { REVOKE_AFTER_MS } from '../../../src/lib/download.ts';
import type { Payload } from '../../../src/protocol/messages.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { envelope, resetStores } from '../mesh-fixtures.ts';

const at = (h: number, m: number, s: number, ms = 0) => new Date(2025, 0, 2, h, m, s, ms).getTime();

function logAt(ts: number, text: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info', nodeId = 'parser'): void {
  const data: Payload = { type: 'log-chunk', nodeId, text, level };
  act(() => useRealtime.getState().applyBatch([envelope(data, ts)]));
}

function threeLines() {
  logAt(at(9, 12, 3, 45), 'GET / 200', 'info');
  logAt(at(9, 12, 4, 500), 'slow upstream', 'warn');
  logAt(at(9, 12, 5, 7), 'upstream timed out', 'error');
}

const button = (name: string) => screen.getByRole('button', { name });
const status = () => screen.getByRole('status').textContent;

function stubClipboard(writeText: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: vi.fn(writeText) } });
  return navigator.clipboard.writeText as ReturnType<typeof vi.fn>;
}

function stubExecCommand(run: (command: string) => boolean) {
  const execCommand = vi.fn(run);
  Object.defineProperty(document, 'execCommand', { configurable: true, value: execCommand });
  return execCommand;
}

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  useClock.setState({ moment: null });
  Reflect.deleteProperty(navigator, 'clipboard');
  Reflect.deleteProperty(document, 'execCommand');
});

describe('log copy', () => {
  it('copies the lines shown, as filtered, one per line with time and level', async () => {
    const writeText = stubClipboard(async () => {});
    render(<NodeLogs nodeId="parser" />);
    threeLines();
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum level' }), { target: { value: 'warn' } });

    await act(async () => fireEvent.click(button('Copy')));
    expect(writeText).toHaveBeenCalledExactlyOnceWith('09:12:04.500 WARN  slow upstream\n09:12:05.007 ERROR upstream timed out\n');
    expect(status()).toBe('copied 2 lines');
  });

  it('falls back to select-and-copy when the Clipboard API refuses', async () => {
    stubClipboard(async () => {
      throw new DOMException('Document is not focused.', 'NotAllowedError');
    });
    const copied: string[] = [];
    const execCommand = stubExecCommand((command) => {
      copied.push(document.querySelector('textarea')!.value);
      return command === 'copy';
    });
    render(<NodeLogs nodeId="parser" />);
    threeLines();

    await act(async () => fireEvent.click(button('Copy')));
    expect(execCommand).toHaveBeenCalledExactlyOnceWith('copy');
    expect(copied).toEqual(['09:12:03.045 INFO  GET / 200\n09:12:04.500 WARN  slow upstream\n09:12:05.007 ERROR upstream timed out\n']);
    // The helper's text area is gone again.
    expect(document.querySelector('textarea')).toBeNull();
    expect(status()).toBe('copied 3 lines');
  });

  it('falls back when there is no Clipboard API (plain http)', async () => {
    const execCommand = stubExecCommand(() => true);
    render(<NodeLogs nodeId="parser" />);
    logAt(at(9, 0, 0), 'only line');
    await act(async () => fireEvent.click(button('Copy')));
    expect(execCommand).toHaveBeenCalledOnce();
    expect(status()).toBe('copied 1 line');
  });

  it('says so when it cannot copy at all', async () => {
    stubExecCommand(() => false);
    render(<NodeLogs nodeId="parser" />);
    threeLines();
    await act(async () => fireEvent.click(button('Copy')));
    expect(status()).toBe('could not copy; try Download');
  });

  it('clears the word on how it went after a while', async () => {
    vi.useFakeTimers();
    stubClipboard(async () => {});
    render(<NodeLogs nodeId="parser" />);
    threeLines();
    await act(async () => fireEvent.click(button('Copy')));
    expect(status()).toBe('copied 3 lines');
    act(() => vi.runOnlyPendingTimers());
    expect(status()).toBe('');
  });

  it('has nothing to copy or download before there are lines', () => {
    render(<NodeLogs nodeId="parser" />);
    expect(button('Copy')).toHaveProperty('disabled', true);
    expect(button('Download')).toHaveProperty('disabled', true);
  });
});

describe('log download', () => {
  function stubDownload() {
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return `blob:test/${blobs.length}`;
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: Array<{ href: string; download: string; attached: boolean }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download, attached: this.isConnected });
    });
    return { blobs, clicks, revokeObjectURL };
  }

  it('saves the lines shown as a .log named for the node and the time', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(at(9, 30, 15));
    const { blobs, clicks, revokeObjectURL } = stubDownload();
    render(<NodeLogs nodeId="parser" />);
    threeLines();

    fireEvent.click(button('Download'));
    expect(clicks).toEqual([{ href: 'blob:test/1', download: 'parser-20250102-093015.log', attached: true }]);
    expect(blobs[0]!.type).toBe('text/plain;charset=utf-8');
    expect(await blobs[0]!.text()).toBe('09:12:03.045 INFO  GET / 200\n09:12:04.500 WARN  slow upstream\n09:12:05.007 ERROR upstream timed out\n');
    expect(document.querySelector('a[download]')).toBeNull();
    expect(status()).toBe('saved 3 lines');

    // The blob is released once the browser has had time to read it.
    expect(revokeObjectURL).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(REVOKE_AFTER_MS));
    expect(revokeObjectURL).toHaveBeenCalledExactlyOnceWith('blob:test/1');
  });

  it('names the file for the moment shown, and holds only the lines up to it', async () => {
    const { blobs, clicks } = stubDownload();
    render(<NodeLogs nodeId="fetcher/1" />);
    logAt(at(9, 12, 3, 45), 'GET / 200', 'info', 'fetcher/1');
    logAt(at(9, 12, 5, 7), 'later', 'info', 'fetcher/1');
    act(() => useClock.setState({ moment: at(9, 12, 4) }));

    fireEvent.click(button('Download'));
    expect(clicks[0]!.download).toBe('fetcher_1-20250102-091204.log');
    expect(await blobs[0]!.text()).toBe('09:12:03.045 INFO  GET / 200\n');
  });
});
