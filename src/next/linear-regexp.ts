/**
 * Regular expressions that run in linear time. Route patterns (and RegExps given to
 * `createRouteMatcher`) are parsed here into a Thompson NFA and simulated one state set per input
 * character, with no backtracking: the cost of a test is at most (path length × program size),
 * whatever the pattern and the path (`/:a*\/:b*\/:c*\/end` against 8 KB of slashes is as cheap as
 * any other). The syntax is ECMAScript's without the features that need backtracking (lookaround,
 * backreferences) or Unicode property tables (`\p{…}`, the `v` flag); those throw when compiled.
 */

type CharTest = (c: number) => boolean;
type AssertKind = '^' | '$' | 'b' | 'B';

type Node =
  | { k: 'char'; test: CharTest }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; options: Node[] }
  | { k: 'rep'; node: Node; min: number; max: number }
  | { k: 'assert'; kind: AssertKind };

type Inst =
  | { op: 'match' }
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'assert'; kind: AssertKind; next: number };

/** A pattern uses syntax this engine does not run (it would need backtracking). */
export class UnsupportedPatternError extends Error {}

/** A compiled pattern: `test` answers what `RegExp.prototype.test` would, in linear time. */
export interface LinearRegExp {
  readonly source: string;
  readonly flags: string;
  test(input: string): boolean;
}

// Bounds the program (and so the per-character cost); route patterns need a few dozen instructions.
const MAX_INSTRUCTIONS = 4096;
const MAX_REPEAT = 1000;

const range =
  (lo: number, hi: number): CharTest =>
  (c) =>
    c >= lo && c <= hi;
const isDigit = range(48, 57);
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isLineTerminator: CharTest = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
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

/** Emits the program backwards: each node's code is compiled knowing where it continues. */
function compileProgram(root: Node): { program: Inst[]; start: number } {
  const program: Inst[] = [{ op: 'match' }];
  const push = (inst: Inst): number => {
    if (program.length >= MAX_INSTRUCTIONS) throw new UnsupportedPatternError('a pattern this large');
    program.push(inst);
    return program.length - 1;
  };
  const emit = (node: Node, next: number): number => {
    switch (node.k) {
      case 'char':
        return push({ op: 'char', test: node.test, next });
      case 'assert':
        return push({ op: 'assert', kind: node.kind, next });
      case 'seq':
        return node.items.reduceRight((continuation, item) => emit(item, continuation), next);
      case 'alt': {
        const entries = node.options.map((option) => emit(option, next));
        return entries.reduceRight((rest, entry) => push({ op: 'split', a: entry, b: rest }));
      }
      case 'rep': {
        let tail = next;
        if (node.max === Infinity) {
          const loop = push({ op: 'split', a: -1, b: next });
          (program[loop] as { a: number }).a = emit(node.node, loop);
          tail = loop;
        } else {
          for (let k = node.min; k < node.max; k++) tail = push({ op: 'split', a: emit(node.node, tail), b: next });
        }
        for (let k = 0; k < node.min; k++) tail = emit(node.node, tail);
        return tail;
      }
    }
  };
  return { program, start: emit(root, 0) };
}

/** The program as flat arrays (monomorphic, cheap to walk): op, two successors, a character test. */
interface Machine {
  op: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  tests: Array<CharTest | undefined>;
  kinds: Array<AssertKind | undefined>;
  start: number;
}

const OP_MATCH = 0;
const OP_CHAR = 1;
const OP_SPLIT = 2;
const OP_ASSERT = 3;

function flatten(program: Inst[], start: number): Machine {
  const size = program.length;
  const machine: Machine = {
    op: new Uint8Array(size),
    a: new Int32Array(size),
    b: new Int32Array(size),
    tests: new Array(size),
    kinds: new Array(size),
    start,
  };
  program.forEach((inst, pc) => {
    if (inst.op === 'char') {
      machine.op[pc] = OP_CHAR;
      machine.a[pc] = inst.next;
      machine.tests[pc] = inst.test;
    } else if (inst.op === 'split') {
      machine.op[pc] = OP_SPLIT;
      machine.a[pc] = inst.a;
      machine.b[pc] = inst.b;
    } else if (inst.op === 'assert') {
      machine.op[pc] = OP_ASSERT;
      machine.a[pc] = inst.next;
      machine.kinds[pc] = inst.kind;
    }
  });
  return machine;
}

function assertionHolds(kind: AssertKind, chars: Uint32Array, pos: number, multiline: boolean): boolean {
  if (kind === '^') return pos === 0 || (multiline && isLineTerminator(chars[pos - 1]!));
  if (kind === '$') return pos === chars.length || (multiline && isLineTerminator(chars[pos]!));
  const boundary = (pos > 0 && isWord(chars[pos - 1]!)) !== (pos < chars.length && isWord(chars[pos]!));
  return kind === 'b' ? boundary : !boundary;
}

/** Thompson simulation: one set of live states per position, each state visited at most once per position. */
function runMachine(machine: Machine, chars: Uint32Array, multiline: boolean): boolean {
  const { op, a, b, tests, kinds } = machine;
  const size = op.length;
  const marks = new Int32Array(size).fill(-1);
  const stack = new Int32Array(size * 2 + 1);
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  let currentCount = 0;
  let nextCount = 0;
  // Adds the states reachable from `pc` at `pos` without consuming input; true when one is the match.
  const close = (pc: number, pos: number, into: Int32Array, count: number): number => {
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const at = stack[--top]!;
      if (marks[at] === pos) continue;
      marks[at] = pos;
      const code = op[at];
      if (code === OP_MATCH) return -1;
      if (code === OP_CHAR) into[count++] = at;
      else if (code === OP_SPLIT) {
        stack[top++] = b[at]!;
        stack[top++] = a[at]!;
      } else if (assertionHolds(kinds[at]!, chars, pos, multiline)) stack[top++] = a[at]!;
    }
    return count;
  };
  for (let pos = 0; ; pos++) {
    // Search semantics, as RegExp.prototype.test: a match may start at any position.
    currentCount = close(machine.start, pos, current, currentCount);
    if (currentCount < 0) return true;
    if (pos === chars.length) return false;
    const c = chars[pos]!;
    nextCount = 0;
    for (let k = 0; k < currentCount; k++) {
      const pc = current[k]!;
      if (!tests[pc]!(c)) continue;
      nextCount = close(a[pc]!, pos + 1, next, nextCount);
      if (nextCount < 0) return true;
    }
    [current, next] = [next, current];
    currentCount = nextCount;
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
