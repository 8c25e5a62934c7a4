/**
 * A small, language-parameterized scanner that cuts a parameters cell into statements
 * ("logical lines": physical lines joined while brackets are open, a string is open, or
 * the line is continued), with comments separated from code. Python and R inspection
 * share it; it understands only what they need: quotes (and Python's triple quotes),
 * backslash escapes, `#` comments, brackets, and explicit continuations.
 */

/** One physical line of a statement: its code without the comment, and the comment. */
export interface ScannedLine {
  code: string;
  /** The comment text including its leading `#`, or "" when the line has none. */
  comment: string;
}

/** A statement: the physical lines it spans, and the indentation of its first line. */
export interface Statement {
  lines: ScannedLine[];
  indent: number;
  /** 0-based index of the first physical line in the cell. */
  firstLine: number;
}

/** Language knobs of the scanner. */
export interface ScanRules {
  /** Python's `'''`/`"""` strings. */
  tripleQuotes: boolean;
  /** Python's backslash-newline line continuation. */
  backslashContinuation: boolean;
  /** R continues a statement whose line ends with a binary operator. */
  continues?(code: string): boolean;
}

/**
 * Splits `source` into statements. Unterminated strings or brackets make the rest of
 * the cell one statement, which later parsing simply fails to read; nothing throws.
 */
export function scanStatements(source: string, rules: ScanRules): Statement[] {
  const physical = source.split(/\r\n|\r|\n/);
  const statements: Statement[] = [];
  let current: Statement | null = null;
  let depth = 0;
  let quote = ""; // the open string's delimiter: ', ", ''' or """
  physical.forEach((text, lineNo) => {
    let code = "";
    let comment = "";
    let i = 0;
    while (i < text.length) {
      const ch = text.charAt(i);
      if (quote !== "") {
        if (ch === "\\") {
          code += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (text.startsWith(quote, i)) {
          code += quote;
          i += quote.length;
          quote = "";
          continue;
        }
        code += ch;
        i++;
        continue;
      }
      if (ch === "#") {
        comment = text.slice(i);
        break;
      }
      if (ch === '"' || ch === "'") {
        quote = rules.tripleQuotes && text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
        code += quote;
        i += quote.length;
        continue;
      }
      if ("([{".includes(ch)) depth++;
      else if (")]}".includes(ch)) depth = Math.max(0, depth - 1);
      code += ch;
      i++;
    }
    if (current === null) {
      if (code.trim() === "" && comment === "") return;
      current = { lines: [], indent: text.length - text.trimStart().length, firstLine: lineNo };
    }
    // An open string continues the statement: R strings may span lines, Python's
    // triple-quoted ones too (an unterminated '...' is a syntax error we need not read).
    let continued = depth > 0 || quote !== "";
    if (rules.backslashContinuation && comment === "" && code.endsWith("\\")) {
      code = code.slice(0, -1);
      continued = true;
    }
    if (!continued && rules.continues?.(code) === true) continued = true;
    current.lines.push({ code, comment });
    if (!continued) {
      statements.push(current);
      current = null;
    }
  });
  if (current !== null) statements.push(current);
  return statements;
}

/**
 * The default as papermill 2.6 flattens it (`flatten_python_source`): each physical
 * line's code stripped, joined with nothing, so a list spread over lines reads
 * `['a','b']`.
 */
export function flattenCode(parts: string[]): string {
  return parts.map((p) => p.trim()).join("");
}

/**
 * The index of the first top-level occurrence of a character matching `pred` in
 * `code` (outside strings and brackets), or -1.
 */
export function findTopLevel(
  code: string,
  pred: (code: string, i: number) => boolean,
  from = 0,
): number {
  let found = -1;
  scanCode(code, from, (i, ch, depth) => {
    if (depth === 0 && !"([{)]}".includes(ch) && pred(code, i)) found = i;
    return found >= 0;
  });
  return found;
}

/**
 * When `code` is one bracketed group `open … close` (e.g. `[1, 2]`), its inside;
 * otherwise null. `(1)(2)` or `[1] + [2]` are not one group.
 */
export function bracketInside(code: string, open: string, close: string): string | null {
  if (!code.startsWith(open) || !code.endsWith(close)) return null;
  let inside: string | null = null;
  scanCode(code, 0, (i, ch, depth) => {
    if (depth !== 0 || !")]}".includes(ch)) return false;
    inside = i === code.length - 1 ? code.slice(1, -1) : null;
    return true;
  });
  return inside;
}

/**
 * Walks `code` from `from`, skipping string literals (with escapes and triple quotes),
 * calling `visit` with each other character and the bracket depth after it; stops when
 * `visit` returns true.
 */
function scanCode(
  code: string,
  from: number,
  visit: (i: number, ch: string, depth: number) => boolean,
): void {
  let depth = 0;
  let quote = "";
  for (let i = from; i < code.length; i++) {
    const ch = code.charAt(i);
    if (quote !== "") {
      if (ch === "\\") i++;
      else if (code.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = "";
      }
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = code.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      i += quote.length - 1;
      continue;
    }
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    if (visit(i, ch, depth)) return;
  }
}

/** Splits `code` at top-level commas (outside strings and brackets). */
export function splitTopLevel(code: string, sep = ","): string[] {
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    const i = findTopLevel(code, (c, j) => c.charAt(j) === sep, start);
    if (i === -1) break;
    parts.push(code.slice(start, i));
    start = i + 1;
  }
  parts.push(code.slice(start));
  return parts;
}
