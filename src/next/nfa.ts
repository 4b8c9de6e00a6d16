/**
 * The machine behind `linear-regexp.ts`: a parsed pattern (a small AST) is compiled to a Thompson
 * NFA and simulated one set of live states per input character. Each state is visited at most
 * once per position, so a test costs at most (input length × program size), with no backtracking.
 */

export type CharTest = (c: number) => boolean;
export type AssertKind = '^' | '$' | 'b' | 'B';

/** The parsed pattern. */
export type Node =
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

// Bounds the program (and so the per-character cost); route patterns need a few dozen instructions.
const MAX_INSTRUCTIONS = 4096;

export const range =
  (lo: number, hi: number): CharTest =>
  (c) =>
    c >= lo && c <= hi;
export const isDigit = range(48, 57);
export const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
export const isLineTerminator: CharTest = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Emits the program backwards: each node's code is compiled knowing where it continues. */
export function compileProgram(root: Node): { program: Inst[]; start: number } {
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
export interface Machine {
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

export function flatten(program: Inst[], start: number): Machine {
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
export function runMachine(machine: Machine, chars: Uint32Array, multiline: boolean): boolean {
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
