/**
 * The designer's keyboard shortcuts: Ctrl+Z undo, Ctrl+Shift+Z (or Ctrl+Y) redo, Ctrl+C
 * copy, Ctrl+V paste (Cmd on macOS). Inside text fields the browser's own undo, copy
 * and paste win. Delete is handled by the canvas, which knows what is selected there.
 */
import { useEffect } from "react";
import type { Designer } from "./useDesigner.js";

/** True when the key event comes from a place that edits text itself. */
export function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

/** Installs the shortcuts on the window while the designer is shown. */
export function useShortcuts(designer: Pick<Designer, "undo" | "redo" | "copy" | "paste">): void {
  const { undo, redo, copy, paste } = designer;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || isTextTarget(e.target)) return;
      const key = e.key.toLowerCase();
      let handled = true;
      if (key === "z" && e.shiftKey) redo();
      else if (key === "z") undo();
      else if (key === "y") redo();
      else if (key === "c" && !e.shiftKey) copy();
      else if (key === "v" && !e.shiftKey) paste();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [undo, redo, copy, paste]);
}
