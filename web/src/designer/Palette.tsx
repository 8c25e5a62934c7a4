/**
 * The palette: task types and the notebook library (searchable). Items can be dragged
 * onto the canvas, or added with a click or Enter for keyboard users.
 */
import { useMemo, useState } from "react";
import type { NotebookEntry } from "../api/types.js";
import { PALETTE } from "../core/palette.js";
import { writePaletteDrag, type PaletteItem } from "./palette-drag.js";

/** Props of the palette. */
export interface PaletteProps {
  /** The library's notebooks; undefined while loading. */
  notebooks: readonly NotebookEntry[] | undefined;
  /** Why the library could not be listed, if it could not. */
  notebooksError?: string;
  onAdd: (item: PaletteItem) => void;
}

/** The designer's palette. */
export function Palette({ notebooks, notebooksError, onAdd }: PaletteProps) {
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (notebooks ?? []).filter((n) => q === "" || n.path.toLowerCase().includes(q));
  }, [notebooks, query]);

  const item = (label: string, hint: string, payload: PaletteItem, key: string) => (
    <li key={key}>
      <button
        type="button"
        className="palette-item"
        draggable
        onDragStart={(e) => writePaletteDrag(e.dataTransfer, payload)}
        onClick={() => onAdd(payload)}
        title={hint}
        aria-label={`Add ${label}`}
      >
        {label}
      </button>
    </li>
  );

  return (
    <nav className="palette" aria-label="Palette">
      <h2>Task types</h2>
      <ul>{PALETTE.map((e) => item(e.label, e.hint, { kind: "type", type: e.type }, e.type))}</ul>
      <h2>Notebooks</h2>
      <label className="palette-search">
        <span className="visually-hidden">Search notebooks</span>
        <input
          type="search"
          placeholder="Search notebooks"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      {notebooksError !== undefined && (
        <p role="alert">The library could not be listed: {notebooksError}</p>
      )}
      {notebooks === undefined && notebooksError === undefined && (
        <p aria-busy="true">Loading notebooks…</p>
      )}
      {notebooks !== undefined && shown.length === 0 && (
        <p>{notebooks.length === 0 ? "The library is empty." : "No notebook matches."}</p>
      )}
      <ul>
        {shown.map((n) =>
          item(
            n.path.split("/").pop() ?? n.path,
            n.path,
            { kind: "notebook", path: n.path },
            n.path,
          ),
        )}
      </ul>
    </nav>
  );
}
