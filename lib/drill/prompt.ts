/**
 * The operator prompt of the CLI: questions and progress on stderr (stdout carries only the result), answers one
 * line each from stdin. Works without a TTY (answers piped in); end of input counts as "stop".
 */
import { createInterface, type Interface } from 'node:readline';
import type { DrillPrompt } from './run';

export function lineReaderPrompt(input: NodeJS.ReadableStream, err: (text: string) => void): DrillPrompt & { close(): void } {
  let rl: Interface | undefined;
  const lines: string[] = [];
  const waiters: Array<(line: string | undefined) => void> = [];
  let ended = false;
  const reader = () => {
    if (rl) return;
    rl = createInterface({ input, terminal: false });
    rl.on('line', (l) => { const w = waiters.shift(); if (w) w(l); else lines.push(l); });
    rl.on('close', () => { ended = true; for (const w of waiters.splice(0)) w(undefined); });
  };
  return {
    say: (text) => err(text),
    ask(question, signal) {
      err(question);
      reader();
      if (lines.length) return Promise.resolve(lines.shift());
      if (ended || signal.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const waiter = (l: string | undefined) => { signal.removeEventListener('abort', onAbort); resolve(l); };
        const onAbort = () => { const i = waiters.indexOf(waiter); if (i >= 0) waiters.splice(i, 1); resolve(undefined); };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    close: () => { rl?.close(); },
  };
}
