import { AmbitError } from '../errors';

/**
 * Gateway API RegularExpression matches are RE2 here, as in Envoy's safe_regex, and always match
 * the whole value. Patterns are translated to JavaScript RegExp for the waypoint. Limits of that
 * translation, each reported rather than silently changed:
 * - rejected: lookaround and backreferences (JS accepts them, RE2 does not), `\p`/`\P` Unicode
 *   classes, `\C`, negated POSIX classes, inline flags other than one leading `(?i)`/`(?m)`/`(?s)`
 *   group, and `\A`/`\z` together with `(?m)`;
 * - translated: `(?P<name>…)` named groups, leading flags, `\A`, `\z`, `\Q…\E`, POSIX classes
 *   such as `[[:alpha:]]`, a `]` first in a class;
 * - different: JS matches UTF-16 code units where RE2 matches UTF-8 code points, and JS
 *   backtracks, so a pathological pattern such as `(a+)+$` can be slow where RE2 stays linear.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const LEADING_FLAGS = /^\(\?([ims]+)\)/;
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/-]/g;

type Translation = { source: string; flags: string } | { error: string };

function escapeLiteral(text: string): string {
  return text.replace(REGEX_SYNTAX, '\\$&');
}

/** RE2 pattern → JavaScript source and flags, or the reason it has no faithful translation. */
function translate(pattern: string): Translation {
  let flags = '';
  let start = 0;
  const leading = LEADING_FLAGS.exec(pattern);
  if (leading) {
    flags = [...new Set(leading[1])].join('');
    start = leading[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (c === '\\') {
      if (next === undefined) return { error: 'ends with a lone backslash' };
      if (next >= '1' && next <= '9') return { error: 'backreferences are not RE2 syntax' };
      if (next === 'k') return { error: 'backreferences are not RE2 syntax' };
      if (next === 'p' || next === 'P') return { error: 'Unicode classes (\\p, \\P) are not supported' };
      if (next === 'C') return { error: '\\C is not supported' };
      if (next === 'Q') {
        if (inClass) return { error: '\\Q…\\E inside a character class is not supported' };
        const end = pattern.indexOf('\\E', i + 2);
        out += escapeLiteral(pattern.slice(i + 2, end < 0 ? pattern.length : end));
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (!inClass && (next === 'A' || next === 'z')) {
        if (multiline) return { error: '\\A and \\z cannot be combined with (?m)' };
        out += next === 'A' ? '^' : '$';
        i++;
        continue;
      }
      out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && next === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end < 0 ? '' : pattern.slice(i + 2, end);
        if (name.startsWith('^')) return { error: `negated POSIX class [:${name}:] is not supported` };
        const range = POSIX_CLASSES[name];
        if (range === undefined) return { error: `unknown POSIX class [:${name}:]` };
        out += range;
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      // RE2 reads a `]` first in a class as a literal; JS would read `[]` as an empty class.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && next === '?') {
      const third = pattern[i + 2];
      const fourth = pattern[i + 3];
      if (third === 'P' && fourth === '<') {
        out += '(?<';
        i += 3;
        continue;
      }
      if (third === ':') {
        out += '(?:';
        i += 2;
        continue;
      }
      if (third === '=' || third === '!' || (third === '<' && (fourth === '=' || fourth === '!'))) {
        return { error: 'lookaround assertions are not RE2 syntax' };
      }
      if (third === '<') {
        out += '(?<';
        i += 2;
        continue;
      }
      return { error: 'inline flags are supported only as one leading group such as (?i)' };
    }
    out += c;
  }
  return { source: out, flags };
}

function build(pattern: string): RegExp | string {
  const translated = translate(pattern);
  if ('error' in translated) return translated.error;
  try {
    return new RegExp(`^(?:${translated.source})$`, translated.flags);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why an RE2 pattern cannot be used here, or undefined when it can. */
export function regexProblem(pattern: string): string | undefined {
  const built = build(pattern);
  return typeof built === 'string' ? built : undefined;
}

/** Compiles an RE2 pattern to a RegExp that must match the whole input. Throws AmbitError. */
export function compileFullMatchRegex(pattern: string): RegExp {
  const built = build(pattern);
  if (typeof built === 'string') {
    throw new AmbitError('InvalidArgument', `regular expression ${JSON.stringify(pattern)} is not usable: ${built}`);
  }
  return built;
}
