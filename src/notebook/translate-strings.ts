/**
 * String literals for each kernel language. papermill 2.6 (`Translator.translate_escaped_str`
 * in papermill/translators.py) escapes with Python's `unicode_escape` codec and then
 * backslash-escapes `"`; the result is ASCII-only and a valid Python literal for any text.
 * We reproduce that byte for byte for Python, and keep the same spelling for R, Julia and
 * Scala except where papermill's text would not mean the same string in that language
 * (each deviation is noted at its function). Bash uses `shlex.quote`, as papermill's
 * `BashTranslator` does.
 */
import { ParamError } from "../spec/errors.js";

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** True for a UTF-16 high (leading) surrogate. */
function isHigh(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

/** True for a UTF-16 low (trailing) surrogate. */
function isLow(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

/**
 * Walks `s` by code point: a valid surrogate pair is one astral code point, a lone
 * surrogate is reported as itself with `lone: true` (JSON `"\ud800"` can produce one).
 */
function* codePoints(s: string): Generator<{ cp: number; lone: boolean }> {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (isHigh(u) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      const lo = s.charCodeAt(i + 1);
      yield { cp: 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00), lone: false };
      i++;
    } else {
      yield { cp: u, lone: isHigh(u) || isLow(u) };
    }
  }
}

/** Options of the shared `unicode_escape`-style writer. */
interface EscapeStyle {
  /** Spell U+0080..U+00FF as `\u00XX` instead of `\xXX`. */
  latin1AsU: boolean;
  /** Reject U+0000 (R strings cannot hold it). */
  rejectNul: boolean;
  /** Reject lone surrogates (R and Julia cannot spell them). */
  rejectLoneSurrogates: boolean;
  /** Extra characters to backslash-escape (Julia's `$`). */
  extra: string;
}

function escapeLike(s: string, style: EscapeStyle, lang: string, where: string): string {
  let out = '"';
  for (const { cp, lone } of codePoints(s)) {
    if (cp === 0x5c) out += "\\\\";
    else if (cp === 0x22) out += '\\"';
    else if (cp === 0x09) out += "\\t";
    else if (cp === 0x0a) out += "\\n";
    else if (cp === 0x0d) out += "\\r";
    else if (cp >= 0x20 && cp < 0x7f) {
      const ch = String.fromCharCode(cp);
      out += style.extra.includes(ch) ? `\\${ch}` : ch;
    } else if (cp === 0 && style.rejectNul) {
      throw new ParamError(`${where}: ${lang} strings cannot contain the NUL character (U+0000)`);
    } else if (lone && style.rejectLoneSurrogates) {
      throw new ParamError(
        `${where}: the text holds an unpaired UTF-16 surrogate (U+${hex(cp, 4).toUpperCase()}), ` +
          `which ${lang} strings cannot represent`,
      );
    } else if (cp < 0x80 || (cp < 0x100 && !style.latin1AsU)) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/**
 * A Python string literal exactly as papermill 2.6 writes it:
 * `'"' + s.encode('unicode_escape').decode('utf-8').replace('"', '\\"') + '"'`.
 * ASCII-only output; `\t \n \r` short escapes; other C0 controls, DEL and Latin-1 as
 * `\xNN`; BMP as `\uNNNN`; astral as `\UNNNNNNNN`; lone surrogates as `\udNNN` (valid
 * in Python source, giving the same lone surrogate back).
 */
export function pythonString(s: string, where = "value"): string {
  return escapeLike(
    s,
    { latin1AsU: false, rejectNul: false, rejectLoneSurrogates: false, extra: "" },
    "Python",
    where,
  );
}

/**
 * An R string literal. Same text as papermill's except: U+0080..U+00FF are written
 * `\u00NN` because R reads `"\xe9"` as the raw byte 0xE9 (an invalid string in a UTF-8
 * session), and NUL or unpaired surrogates are refused (E_PARAM) because R strings
 * cannot hold them (`"\x00"` is a parse error in R).
 */
export function rString(s: string, where = "value"): string {
  return escapeLike(
    s,
    { latin1AsU: true, rejectNul: true, rejectLoneSurrogates: true, extra: "" },
    "R",
    where,
  );
}

/**
 * A Julia string literal. Same text as papermill's except: `$` is escaped (papermill
 * leaves it, so `"$(run(...))"` would interpolate, i.e. run code), U+0080..U+00FF are
 * `\u00NN` (Julia reads `\xNN` above 0x7F as a raw byte), and unpaired surrogates are
 * refused.
 */
export function juliaString(s: string, where = "value"): string {
  return escapeLike(
    s,
    { latin1AsU: true, rejectNul: false, rejectLoneSurrogates: true, extra: "$" },
    "Julia",
    where,
  );
}

/**
 * A Scala string literal. Scala has no `\x` or `\U` escapes (papermill's text for
 * `"\x01"` or an emoji does not compile), so everything outside printable ASCII other
 * than `\t \n \r` is written as UTF-16 `\uNNNN` escapes, astral characters as a
 * surrogate pair. Printable ASCII, `\"` and `\\` match papermill. `\u` escapes are only
 * produced after an even run of backslashes, so Scala 2's early unicode-escape pass
 * reads them as intended, and never for `"`, `\`, CR or LF, which that pass would turn
 * into syntax.
 */
export function scalaString(s: string, _where = "value"): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u === 0x5c) out += "\\\\";
    else if (u === 0x22) out += '\\"';
    else if (u === 0x09) out += "\\t";
    else if (u === 0x0a) out += "\\n";
    else if (u === 0x0d) out += "\\r";
    else if (u >= 0x20 && u < 0x7f) out += String.fromCharCode(u);
    else out += `\\u${hex(u, 4)}`;
  }
  return `${out}"`;
}

/** Characters `shlex.quote` leaves unquoted: `[\w@%+=:,./-]` with `re.ASCII`. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A bash word exactly as Python's `shlex.quote` (used by papermill's `BashTranslator`)
 * writes it: empty → `''`; only safe characters → as is; otherwise single-quoted with
 * each `'` written `'"'"'`. Inside single quotes bash expands nothing, so any text is
 * one literal word. NUL (bash variables cannot hold it) and unpaired surrogates (not
 * encodable as UTF-8) are refused.
 */
export function bashWord(s: string, where = "value"): string {
  for (const { cp, lone } of codePoints(s)) {
    if (cp === 0) {
      throw new ParamError(`${where}: bash values cannot contain the NUL character (U+0000)`);
    }
    if (lone) {
      throw new ParamError(
        `${where}: the text holds an unpaired UTF-16 surrogate (U+${hex(cp, 4).toUpperCase()}), ` +
          "which cannot be written to a bash cell",
      );
    }
  }
  if (s === "") return "''";
  if (SHELL_SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}
