import { describe, expect, it } from "vitest";
import { renderHomePage } from "./home-page.js";

describe("renderHomePage", () => {
  it("escapes every user-controlled string", () => {
    const evil = `"><script>alert(1)</script>`;
    const html = renderHomePage({
      nonce: "n0nce",
      now: Date.now(),
      workflows: [
        {
          name: "w",
          description: evil,
          version: 1,
          tasks: 1,
          params: { p: { type: "string", default: evil, description: evil } },
        },
      ],
      runs: [
        {
          id: "r1",
          workflow: "w",
          version: 1,
          state: "failed",
          params: {},
          logicalDate: "2025-01-01T00:00:00.000Z",
          trigger: "manual",
          startedAt: "2025-01-01T00:00:00.000Z",
          endedAt: "2025-01-01T00:00:01.500Z",
          tasks: {
            t: {
              state: "failed",
              attempts: 1,
              outputs: {},
              startedAt: null,
              endedAt: null,
              error: { code: "E_TASK_FAILED", message: evil },
            },
          },
        },
      ],
    });
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain(`"><script>`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('<script nonce="n0nce">');
    expect(html).toContain('class="badge s-failed"');
    expect(html).toContain("1.5s");
  });
});
