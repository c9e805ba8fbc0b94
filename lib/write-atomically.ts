import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes next to the target, then renames: a reader (or a printer) never sees a half-written emergency sheet or drill
 * record, and an existing good file is replaced only by a complete one. rename is atomic within one file system.
 */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
