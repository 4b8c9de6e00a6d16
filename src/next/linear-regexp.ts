/**
 * Regular expressions that run in linear time. Route patterns (and RegExps given to
 * `createRouteMatcher`) are parsed here into the Thompson NFA of `nfa.ts`, simulated one state set per input
 * character, with no backtracking: the cost of a test is at most (path length × program size),
 * whatever the pattern and the path (`/:a*\/:b*\/:c*\/end` against 8 KB of slashes is as cheap as
 * any other). The syntax is ECMAScript's without the features that need backtracking (lookaround,
 * backreferences) or Unicode property tables (`\p{…}`, the `v` flag); those throw when compiled.
 */

import {
  type CharTest,
  compileProgram,
  flatten,
  isDigit,
  isLineTerminator,
  isWord,
  type Node,
  range,
  runMachine,
  UnsupportedPatternError,
} from './nfa.js';

export { UnsupportedPatternError };

/** A compiled pattern: `test` answers what `RegExp.prototype.test` would, in linear time. */
export interface LinearRegExp {
  readonly source: string;
  readonly flags: string;
  test(input: string): boolean;
}

const MAX_REPEAT = 1000;

const isSpace: CharTest = (c) =>
  (c >= 9 && c <= 13) ||
  c === 32 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;
const not =
  (test: CharTest): CharTest =>
  (c) =>
    !test(c);
const CLASS_ESCAPES: Record<string, CharTest> = {
  d: isDigit,
  D: not(isDigit),
  w: isWord,
  W: not(isWord),
  s: isSpace,
  S: not(isSpace),
};
const CONTROL_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12 };

type Escape = { code: number } | { test: CharTest } | { assert: 'b' | 'B' };

function foldCase(test: CharTest): CharTest {
  const variants = (c: number): number[] => {
    const text = String.fromCodePoint(c);
    return [text.toLowerCase(), text.toUpperCase()].map((s) => (s.length === 1 ? s.charCodeAt(0) : c));
  };
  return (c) => test(c) || variants(c).some(test);
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly unicode: boolean,
    private readonly ignoreCase: boolean,
    private readonly dotAll: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new SyntaxError('unbalanced ")"');
    return node;
  }

  private unsupported(what: string): never {
    throw new UnsupportedPatternError(what);
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { k: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0]! : { k: 'seq', items };
  }

  private quantified(node: Node): Node {
    const ch = this.src[this.i];
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      [min, max] = ch === '*' ? [0, Infinity] : ch === '+' ? [1, Infinity] : [0, 1];
    } else if (ch === '{') {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!braces) return node; // a literal "{" (outside Unicode mode)
      this.i += braces[0].length;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.unsupported('a repetition count over 1000');
    } else {
      return node;
    }
    if (this.src[this.i] === '?') this.i++; // laziness changes which match, never whether one exists
    return { k: 'rep', node, min, max };
  }

  private literal(code: number): Node {
    const test: CharTest = (c) => c === code;
    return { k: 'char', test: this.ignoreCase ? foldCase(test) : test };
  }

  private atom(): Node {
    const ch = this.src[this.i]!;
    if (ch === '(') return this.group();
    if (ch === '[') return this.characterClass();
    if (ch === '.') {
      this.i++;
      return { k: 'char', test: this.dotAll ? () => true : not(isLineTerminator) };
    }
    if (ch === '^' || ch === '$') {
      this.i++;
      return { k: 'assert', kind: ch };
    }
    if (ch === '\\') {
      const escaped = this.escape(false);
      if ('assert' in escaped) return { k: 'assert', kind: escaped.assert };
      if ('test' in escaped) return { k: 'char', test: escaped.test };
      return this.literal(escaped.code);
    }
    if (ch === '*' || ch === '+' || ch === '?') throw new SyntaxError('nothing to repeat');
    return this.literal(this.codePoint());
  }

  private codePoint(): number {
    const code = this.unicode ? this.src.codePointAt(this.i)! : this.src.charCodeAt(this.i);
    this.i += code > 0xffff ? 2 : 1;
    return code;
  }

  private group(): Node {
    const rest = this.src.slice(this.i, this.i + 4);
    if (rest.startsWith('(?:')) this.i += 3;
    else if (/^\(\?<[^=!]/.test(rest)) this.i = this.src.indexOf('>', this.i) + 1;
    else if (rest.startsWith('(?')) this.unsupported('lookaround or inline modifiers');
    else this.i++;
    const node = this.alternation();
    if (this.src[this.i] !== ')') throw new SyntaxError('unterminated group');
    this.i++;
    return node;
  }

  private escape(inClass: boolean): Escape {
    const ch = this.src[this.i + 1];
    if (ch === undefined) throw new SyntaxError('\\ at end of pattern');
    this.i += 2;
    if (ch in CLASS_ESCAPES) return { test: CLASS_ESCAPES[ch]! };
    if (ch in CONTROL_ESCAPES) return { code: CONTROL_ESCAPES[ch]! };
    if (ch === 'b') return inClass ? { code: 8 } : { assert: 'b' };
    if (ch === 'B' && !inClass) return { assert: 'B' };
    if (ch === '0' && !isDigit(this.src.charCodeAt(this.i))) return { code: 0 };
    if (/[0-9]/.test(ch) || ch === 'k') this.unsupported('backreferences');
    if ((ch === 'p' || ch === 'P') && this.unicode) this.unsupported('Unicode property escapes');
    if (ch === 'c') {
      const letter = this.src.charCodeAt(this.i);
      if (!((letter >= 65 && letter <= 90) || (letter >= 97 && letter <= 122)))
        this.unsupported('"\\c" without a letter');
      this.i++;
      return { code: letter % 32 };
    }
    if (ch === 'x' || ch === 'u') return this.hexEscape(ch);
    this.i--;
    return { code: this.codePoint() };
  }

  private hexEscape(kind: 'x' | 'u'): Escape {
    const rest = this.src.slice(this.i);
    const hex =
      kind === 'x'
        ? /^[0-9a-fA-F]{2}/.exec(rest)
        : this.unicode && rest.startsWith('{')
          ? /^\{([0-9a-fA-F]+)\}/.exec(rest)
          : /^[0-9a-fA-F]{4}/.exec(rest);
    if (!hex) return { code: kind.charCodeAt(0) }; // an identity escape outside Unicode mode
    this.i += hex[0].length;
    let code = Number.parseInt(hex[1] ?? hex[0], 16);
    const trail = /^\\u(d[c-f][0-9a-f]{2})/i.exec(this.src.slice(this.i));
    if (this.unicode && kind === 'u' && code >= 0xd800 && code <= 0xdbff && trail) {
      this.i += trail[0].length;
      code = 0x10000 + ((code - 0xd800) << 10) + (Number.parseInt(trail[1]!, 16) - 0xdc00);
    }
    return { code };
  }

  private classAtom(): Escape {
    if (this.src[this.i] === '\\') return this.escape(true);
    return { code: this.codePoint() };
  }

  private characterClass(): Node {
    this.i++;
    const negate = this.src[this.i] === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    while (this.src[this.i] !== ']') {
      if (this.i >= this.src.length) throw new SyntaxError('unterminated character class');
      const first = this.classAtom();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        const second = this.classAtom();
        if ('code' in first && 'code' in second) {
          tests.push(range(first.code, second.code));
          continue;
        }
        tests.push((c) => c === 45); // "[\d-x]": the "-" is literal
        if ('code' in second) tests.push((c) => c === second.code);
        else if ('test' in second) tests.push(second.test);
      }
      if ('code' in first) tests.push((c) => c === first.code);
      else if ('test' in first) tests.push(first.test);
    }
    this.i++;
    const member: CharTest = (c) => tests.some((test) => test(c));
    const folded = this.ignoreCase ? foldCase(member) : member;
    return { k: 'char', test: negate ? not(folded) : folded };
  }
}

/**
 * Compiles `source` (ECMAScript syntax, with `flags`) to a matcher that runs in linear time.
 * Throws a `SyntaxError` for invalid syntax and an {@link UnsupportedPatternError} for features
 * that need backtracking (lookaround, backreferences) or Unicode property tables.
 *
 * @example
 * ```ts
 * const admin = compileLinearRegExp('^\\/admin(?:\\/.*)?$')
 * admin.test('/admin/users') // true
 * ```
 */
export function compileLinearRegExp(source: string, flags = ''): LinearRegExp {
  new RegExp(source, flags); // native syntax check (compiling never runs the pattern)
  const effective = flags.replace(/[dgy]/g, '');
  if (!/^[imsu]*$/.test(effective)) throw new UnsupportedPatternError(`the "${effective}" flags`);
  const unicode = effective.includes('u');
  const root = new Parser(source, unicode, effective.includes('i'), effective.includes('s')).parse();
  const { program, start } = compileProgram(root);
  const machine = flatten(program, start);
  const multiline = effective.includes('m');
  return {
    source,
    flags: effective,
    test(input: string): boolean {
      const chars = unicode
        ? Uint32Array.from(input, (ch) => ch.codePointAt(0)!)
        : Uint32Array.from({ length: input.length }, (_, i) => input.charCodeAt(i));
      return runMachine(machine, chars, multiline);
    },
  };
}
