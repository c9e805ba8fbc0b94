/** POSIX shell quoting for the commands the deployment plan prints, so each can be pasted as is. */

const SAFE = /^[\w@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Splits a command made by shellJoin back into its quoted words (quotes kept), for line wrapping. */
export function shellWords(command: string): string[] {
  return command.match(/(?:'[^']*'|\\.|[^\s'\\])+/g) ?? [];
}

/**
 * The command on lines of at most `width` characters where it can break between words, continued with " \";
 * continuation lines are indented by `indent` more spaces. A word longer than the width stays whole; an option (a
 * word starting with "-") that would end a line moves to the next one, to stay next to its value.
 */
export function wrapCommand(command: string, width: number, indent = 4): string[] {
  const lines: string[][] = [[]];
  const text = (words: string[], first: boolean) => `${first ? '' : ' '.repeat(indent)}${words.join(' ')}`;
  for (const word of shellWords(command)) {
    const current = lines[lines.length - 1];
    // Room for the " \" that ends a broken line.
    if (current.length > 0 && text([...current, word], lines.length === 1).length + 2 > width) {
      const carried = current.length > 1 && current[current.length - 1].startsWith('-') ? [current.pop()!] : [];
      lines.push([...carried, word]);
    } else {
      current.push(word);
    }
  }
  return lines.filter((l) => l.length > 0).map((l, i, all) => `${text(l, i === 0)}${i < all.length - 1 ? ' \\' : ''}`);
}
