/**
 * Turns zod issues into one-line problems that say what was expected, in the words of a YAML file ("a list", "a
 * mapping"), never zod's own wording ("Invalid input", "Too small: expected array to have >=1 items").
 * Messages written in schema.ts (`error: 'expected …'`) and by the checks (custom issues) are kept as they are.
 */
import type { z } from 'zod';
import type { ConfigProblem } from './semantic';

type Issue = z.core.$ZodIssue;

/** zod's default messages; anything else was written by us and is kept. */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Unrecognized|Expected)\b/;

export function describeIssue(issue: Issue): ConfigProblem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  switch (issue.code) {
    case 'custom':
      return [{ path, message: issue.message }];
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: [...path, k], message: 'unknown key (check the spelling; see examples/breakglass.reference.yaml)' }));
    case 'invalid_union': {
      // Report the branch the user evidently meant: the one whose problems are not "wrong type at the top".
      const branches = issue.errors.map((b) => b.filter((i) => !(i.code === 'invalid_type' && i.path.length === 0)));
      const meant = branches.find((b) => b.length > 0);
      if (meant) return meant.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as Issue));
      const kinds = [...new Set(issue.errors.flatMap((b) => b.flatMap((i) => (i.code === 'invalid_type' ? [noun(i.expected)] : []))))];
      return [{ path, message: `expected ${kinds.length > 0 ? kinds.join(' or ') : 'another form'}, got ${received(issue.input)}` }];
    }
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as Issue));
    default:
      break;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path, message: `missing; expected ${noun(issue.expected)}` }];
  if (!ZOD_WORDING.test(issue.message)) {
    // A number where a string was expected: say what YAML read (an unquoted account ID loses its leading zeros).
    const got = issue.code === 'invalid_type' && typeof issue.input === 'number' ? ` (got ${issue.input})` : '';
    return [{ path, message: `${issue.message}${got}` }];
  }
  return [{ path, message: expectedMessage(issue) }];
}

function expectedMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${noun(issue.expected)}, got ${received(issue.input)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return min === 1 ? 'expected at least one entry, got an empty list' : `expected at least ${min} entries`;
      if (issue.origin === 'string') return min === 1 ? 'expected a non-empty string' : `expected at least ${min} characters`;
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${min}, got ${received(issue.input)}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return `expected at most ${max} entries`;
      if (issue.origin === 'string') return `expected at most ${max} characters`;
      return `expected ${issue.inclusive ? 'at most' : 'less than'} ${max}, got ${received(issue.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}, got ${received(issue.input)}`;
    case 'invalid_format':
      if (issue.format === 'email') return 'expected an email address';
      if (issue.format === 'url') return 'expected a URL';
      return `expected a value of the form ${issue.format === 'regex' && 'pattern' in issue ? String(issue.pattern) : issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    default:
      return 'unexpected value';
  }
}

/** What a YAML author calls each JSON type. "object" stays first so the message still reads "expected object …". */
function noun(expected: string): string {
  switch (expected) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'int': return 'a whole number';
    case 'boolean': return 'true or false';
    case 'array': return 'a list';
    case 'object':
    case 'record': return 'object (a mapping of keys)';
    default: return expected;
  }
}

function received(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (typeof input === 'number' || typeof input === 'boolean') return `${typeof input === 'number' ? 'the number ' : ''}${input}`;
  if (Array.isArray(input)) return 'a list';
  return 'a mapping';
}
