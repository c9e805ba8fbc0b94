/**
 * `--out FILE` of the commands that write one document (links, audit): the target is checked before any work, so a
 * path that cannot be written is a usage error (exit 2) that costs nothing; the document replaces an older one only
 * when complete (lib/write-atomically.ts), and a failure at that point is a runtime error (exit 3).
 */
import { escapeControls } from '../detection/escape';
import { checkWritable, writeAtomically, WriteRefused } from '../write-atomically';
import { EXIT, UserError } from './errors';

function guarded(file: string, write: () => void, ioErrorExit: number): void {
  try {
    write();
  } catch (e) {
    if (e instanceof WriteRefused) throw new UserError(`--out: ${escapeControls(e.message)}`, EXIT.usage);
    throw new UserError(`cannot write ${escapeControls(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ioErrorExit);
  }
}

/** Before the command's work: refuses a target that could never be written (exit 2). */
export function checkOutputFile(file: string): void {
  guarded(file, () => checkWritable(file), EXIT.usage);
}

/** After it: writes the document (exit 2 if the target was refused meanwhile, 3 on an I/O error). */
export function writeOutputFile(file: string, text: string): void {
  guarded(file, () => writeAtomically(file, text), EXIT.runtime);
}
