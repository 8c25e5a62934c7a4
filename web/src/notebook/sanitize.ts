/**
 * HTML from notebooks (markdown cells, `text/html` outputs) made inert before it reaches
 * the page: markdown goes through marked, then everything through a DOMPurify instance of
 * its own (no global hooks) with HTML only (no SVG or MathML, whose parsing quirks are
 * where sanitizer bypasses live), no scripts, event handlers, forms, frames, styles or
 * `javascript:` URLs, ids prefixed so they cannot clobber the page's globals, and links
 * opening in a new tab without an opener.
 */
import DOMPurify, { type Config, type WindowLike } from "dompurify";
import { Marked } from "marked";

/** Turns untrusted markup into HTML safe to insert. */
export interface Sanitizer {
  /** Sanitized HTML of an HTML fragment. */
  html(dirty: string): string;
  /** Sanitized HTML of markdown (raw HTML in it is sanitized too). */
  markdown(source: string): string;
}

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    "style",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "link",
    "meta",
    "dialog",
  ],
  // `style` could draw a notebook's HTML over the app (a fake sign-in box, say).
  FORBID_ATTR: ["style", "srcset", "action", "formaction", "ping"],
  ALLOW_DATA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
};

// Images only from data: URLs of raster types or http(s).
const IMG_SRC_RE = /^(?:https?:\/\/|data:image\/(?:png|jpeg|gif|webp);base64,)/i;

/** A sanitizer bound to `window` (the page's DOM parses the markup, nothing runs). */
export function createSanitizer(window: WindowLike): Sanitizer {
  const purify = DOMPurify(window);
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      const href = node.getAttribute("href") ?? "";
      if (!href.startsWith("#")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
    }
    if (node.tagName === "IMG") {
      const src = node.getAttribute("src") ?? "";
      if (!IMG_SRC_RE.test(src)) node.removeAttribute("src");
    }
  });
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  const html = (dirty: string): string => purify.sanitize(dirty, CONFIG);
  return {
    html,
    markdown: (source) => html(marked.parse(source, { async: false })),
  };
}
