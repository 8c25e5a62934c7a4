import { expect, test } from "vitest";
import { safeReturnPath, signInPath } from "./return-path.js";

test("a local path is where the sign-in returns to", () => {
  expect(safeReturnPath("/workflows/etl?x=1#top")).toBe("/workflows/etl?x=1#top");
  expect(signInPath("/runs/r1")).toBe("/signin?next=%2Fruns%2Fr1");
  expect(signInPath("/")).toBe("/signin");
});

test("other sites, odd schemes, control characters and the sign-in page itself go home", () => {
  for (const hostile of [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "/a\nb",
    "/signin",
    "/signin?next=/x",
    "",
    null,
    undefined,
  ]) {
    expect(safeReturnPath(hostile)).toBe("/");
  }
  expect(safeReturnPath(`/${"a".repeat(5000)}`)).toHaveLength(2000);
});
