/**
 * Cell ids (nbformat 4.5). The schema requires 1-64 characters of `[a-zA-Z0-9-_]`,
 * unique within the notebook. nbformat generates `uuid.uuid4().hex[:8]`
 * (`nbformat.corpus.words.generate_corpus_id`, used by `nbformat.v4.new_code_cell` and
 * `nbformat.v4.upgrade`); we generate the same shape: 8 lowercase hex digits from a
 * CSPRNG, retried on the (1 in 4 billion) collision with an id already in the notebook.
 */
import { randomBytes } from "node:crypto";

/** The nbformat 4.5 cell id pattern, with its length bounds. */
export const CELL_ID_RE = /^[a-zA-Z0-9-_]{1,64}$/;

/** True when `id` is a string nbformat 4.5 accepts as a cell id. */
export function isValidCellId(id: unknown): id is string {
  return typeof id === "string" && CELL_ID_RE.test(id);
}

/** A fresh random cell id like nbformat's: 8 lowercase hex digits. */
export function randomCellId(): string {
  return randomBytes(4).toString("hex");
}

/** A source of new cell ids (tests pass a deterministic one). */
export type CellIdFactory = () => string;

/**
 * A new id not in `taken` (which it then joins). Ids from `factory` that are invalid or
 * taken are skipped; after 1000 tries we fall back to random ids, so a bad factory cannot
 * loop forever.
 */
export function uniqueCellId(taken: Set<string>, factory: CellIdFactory = randomCellId): string {
  for (let i = 0; ; i++) {
    const id = i < 1000 ? factory() : randomCellId();
    if (isValidCellId(id) && !taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}
