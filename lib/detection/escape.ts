/**
 * Control characters never reach a terminal raw: an event (or an AWS answer) may carry ESC sequences that move the
 * cursor, retitle the window or rewrite earlier lines, and bidi overrides that reorder what is shown. They are shown
 * as \u escapes instead, which also keeps JSON valid (inside a JSON string, \u009b means the same character).
 */

// C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides/isolates.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, minus newline and tab: for whole blocks of output whose own line breaks are wanted.
const CONTROLS_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every control character (newlines and tabs included) as a \u escape: for one value on one line. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** Control characters other than newline and tab as \u escapes: for text whose own line breaks are wanted. */
export function escapeControlsKeepLines(s: string): string {
  CONTROLS_KEEP_LINES.lastIndex = 0;
  return CONTROLS_KEEP_LINES.test(s) ? s.replace(CONTROLS_KEEP_LINES, escape) : s;
}
