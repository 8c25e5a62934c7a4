/** What the palette puts on a drag, and reading it back on the canvas. */

/** A palette item: a task type, or a notebook of the library. */
export type PaletteItem = { kind: "type"; type: string } | { kind: "notebook"; path: string };

const MIME = "application/x-updraft-palette";

/** Puts `item` on a drag. */
export function writePaletteDrag(dt: DataTransfer, item: PaletteItem): void {
  dt.setData(MIME, JSON.stringify(item));
  dt.effectAllowed = "copy";
}

/** The palette item on a drop, or undefined for anything else dropped on the canvas. */
export function readPaletteDrag(dt: DataTransfer): PaletteItem | undefined {
  const raw = dt.getData(MIME);
  if (raw === "") return undefined;
  try {
    const v = JSON.parse(raw) as { kind?: unknown; type?: unknown; path?: unknown };
    if (v.kind === "type" && typeof v.type === "string") return { kind: "type", type: v.type };
    if (v.kind === "notebook" && typeof v.path === "string")
      return { kind: "notebook", path: v.path };
  } catch {
    // Not ours.
  }
  return undefined;
}
