/**
 * The confirmation of `breakglass revoke`: the plan on stderr, then one line from the terminal. Only the word "revoke"
 * goes ahead; anything else, or the end of input, cancels.
 */
import { createInterface } from 'node:readline';

export const CONFIRM_WORD = 'revoke';

export function askToConfirm(input: NodeJS.ReadableStream, err: (line: string) => void): (plan: string[]) => Promise<boolean> {
  return (plan) => new Promise((resolve) => {
    for (const l of plan) err(l);
    err(`Type ${CONFIRM_WORD} to make these changes now (anything else cancels):`);
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (line) => { answered = true; rl.close(); resolve(line.trim() === CONFIRM_WORD); });
    rl.once('close', () => { if (!answered) resolve(false); });
  });
}
