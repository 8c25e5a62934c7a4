import { describe, expect, it } from "vitest";
import { renderDocsPage } from "./docs-page.js";
import { buildOpenApiDocument } from "./openapi.js";

const EVIL = `<script>alert("x")</script>'"&`;

describe("renderDocsPage", () => {
  it("renders every operation of the real document, linked to its schemas", () => {
    const html = renderDocsPage(buildOpenApiDocument(), "n0nce");
    expect(html).toContain('<style nonce="n0nce">');
    expect(html).toContain("<code>/api/v1/runs/{id}</code>");
    expect(html).toContain('<a href="#schema-Run">Run</a>');
    expect(html).toContain("<code>text/event-stream</code>");
    expect(html).not.toMatch(/<script/i);
  });

  it("escapes every string of a hostile document, including schema text and the nonce", () => {
    const doc = {
      openapi: "3.1.0",
      info: { title: EVIL, version: EVIL, description: `see \`${EVIL}\`` },
      paths: {
        [`/x/${EVIL}`]: {
          [EVIL]: {
            tags: [EVIL],
            summary: EVIL,
            description: EVIL,
            parameters: [{ name: EVIL, in: EVIL, description: EVIL, schema: { type: EVIL } }],
            requestBody: { description: EVIL, content: { [EVIL]: { schema: { $ref: EVIL } } } },
            responses: { [EVIL]: { description: EVIL, "x-events": { [EVIL]: { $ref: EVIL } } } },
          },
        },
      },
      components: { schemas: { [EVIL]: { description: EVIL, enum: [EVIL] } } },
    };
    const html = renderDocsPage(doc, EVIL);
    expect(html).not.toContain("<script");
    expect(html).not.toContain('"x")');
    expect(html).toContain("&lt;script&gt;");
  });

  it("renders something sensible for a document missing every field", () => {
    for (const doc of [
      null,
      42,
      "text",
      [],
      { paths: [], info: 3, components: { schemas: null } },
    ]) {
      const html = renderDocsPage(doc, "n");
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain("</html>");
    }
  });
});
