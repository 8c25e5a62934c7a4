/**
 * Number formatting as Python prints it. papermill renders numbers with Python's
 * `str(val)` (its `Translator.translate_raw_str`), and nbformat writes floats with
 * `float.__repr__` (via `json.dumps`), so both the injected parameters and the saved
 * notebook need Python's spelling rather than JavaScript's (`1e-05`, not `0.00001`).
 */

/**
 * Formats a finite number like Python's `repr(float(x))`: the shortest digits that
 * round-trip (JavaScript's `toExponential()` gives the same digits), in positional
 * notation when the decimal exponent is in [-4, 16) and scientific notation otherwise,
 * always with a `.0` or an exponent so the text reads back as a float.
 * Examples: `1.0`, `0.0001`, `1e-05`, `1.5e+16`, `-5432.1`.
 */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`pythonFloatRepr: ${x} is not finite`);
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa = "", expText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exp < 0 ? "-" : "+";
  return `${sign}${head}e${expSign}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/**
 * The largest integer a JavaScript number holds exactly. Integers beyond it cannot have
 * come from the user's text unchanged, so they are rendered as floats (Python would
 * have parsed such a literal from YAML/JSON as either; a float is the honest spelling).
 */
const MAX_EXACT_INT = Number.MAX_SAFE_INTEGER;

/** True when `x` is rendered as an integer literal rather than a float. */
export function isExactInteger(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) <= MAX_EXACT_INT;
}

/**
 * Formats a finite number as Python's `str()` does for the value a JSON parser gives:
 * exact integers as integer digits (`-54321`), anything else as {@link pythonFloatRepr}.
 * JSON `1.0` arrives in JavaScript as the integer 1 and so prints as `1`; papermill
 * would print `1.0` (the one difference we cannot see from here).
 */
export function pythonNumberText(x: number): string {
  if (isExactInteger(x)) return Object.is(x, -0) ? "0" : String(x);
  return pythonFloatRepr(x);
}
