/**
 * The part of a log the page keeps in the DOM: the newest characters up to a cap, cut at
 * a line start, with a count of what was dropped (the whole log is a download away). A
 * 100 MB log stays a few hundred kB of text on the page.
 */
import { stripAnsi } from "../notebook/notebook-model.js";

/** What is shown of a log. */
export interface LogTail {
  text: string;
  /** Characters dropped from the start. */
  dropped: number;
}

/** Characters kept by default. */
export const LOG_TAIL_CHARS = 256 * 1024;

/** An empty tail. */
export const EMPTY_TAIL: LogTail = { text: "", dropped: 0 };

/** The tail after `more` text arrived (ANSI sequences removed). */
export function appendTail(tail: LogTail, more: string, max = LOG_TAIL_CHARS): LogTail {
  if (more === "") return tail;
  const text = tail.text + stripAnsi(more);
  // Trimming only past 125% of the cap keeps appends amortised O(1) per character.
  if (text.length <= max + max / 4) return { text, dropped: tail.dropped };
  let cut = text.length - max;
  const nl = text.indexOf("\n", cut);
  if (nl !== -1 && nl - cut < 4096) cut = nl + 1;
  return { text: text.slice(cut), dropped: tail.dropped + cut };
}

/** The tail of a whole log read at once. */
export function tailOf(text: string, max = LOG_TAIL_CHARS): LogTail {
  return appendTail(EMPTY_TAIL, text, max);
}
