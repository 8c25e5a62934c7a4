import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { checkPasswordPolicy, MIN_PASSWORD_LENGTH, passwordProblems } from "./password-policy.js";
import { checkUsername } from "./username.js";

describe("password policy", () => {
  it("accepts a long enough password", () => {
    expect(passwordProblems("correct horse battery", "ada")).toEqual([]);
    expect(() => checkPasswordPolicy("correct horse battery", "ada")).not.toThrow();
  });

  it("counts characters, not bytes or UTF-16 units", () => {
    expect(passwordProblems("\u{1F600}".repeat(MIN_PASSWORD_LENGTH - 1) + "a", "ada")).toEqual([]);
    expect(passwordProblems("\u{1F600}".repeat(MIN_PASSWORD_LENGTH - 1), "ada")[0]).toMatch(
      /too short \(11/,
    );
  });

  it("refuses short passwords, the username, control characters and a single repeated character", () => {
    expect(passwordProblems("short", "ada")[0]).toMatch(/too short/);
    expect(passwordProblems("", "ada")[0]).toMatch(/too short/);
    expect(passwordProblems("Administrator1", "administrator1")).toEqual([
      "The password must not be the username.",
    ]);
    expect(passwordProblems("twelve chars\u0000long", "ada")).toEqual([
      "The password contains a control character (NUL, newline, tab, ...); remove it.",
    ]);
    expect(passwordProblems("aaaaaaaaaaaaaaaa", "ada")).toEqual([
      "The password must not repeat a single character.",
    ]);
  });

  it("refuses oversized passwords without further work and reports all problems at once", () => {
    expect(passwordProblems("x".repeat(5_000_000), "ada")).toEqual([
      "The password is too long: at most 1024 bytes.",
    ]);
    expect(passwordProblems("\u00e9".repeat(600), "ada")[0]).toMatch(/too long/);
    expect(passwordProblems("a\nb", "ada")).toHaveLength(2);
  });

  it("throws E_VALIDATION with details naming the rule", () => {
    expect(() => checkPasswordPolicy("short", "ada", "UPDRAFT_ADMIN_PASSWORD")).toThrow(
      expect.objectContaining({
        code: ErrorCodes.VALIDATION,
        message: expect.stringMatching(
          /^Unacceptable UPDRAFT_ADMIN_PASSWORD: The password is too short/,
        ) as unknown,
      }) as Error,
    );
    expect(passwordProblems(42 as unknown as string, "ada")).toEqual([
      "The password must be a string.",
    ]);
  });
});

describe("usernames", () => {
  it("accepts lower-case names and refuses everything else", () => {
    for (const ok of ["admin", "ada.lovelace", "a", "x_1-2"])
      expect(() => checkUsername(ok)).not.toThrow();
    for (const bad of [
      "",
      "Admin",
      "1ada",
      "a b",
      "ada\u0000",
      "a".repeat(65),
      "../etc",
      "ad'; DROP TABLE x;--",
      7,
      null,
    ])
      expect(() => checkUsername(bad)).toThrow(
        expect.objectContaining({ code: ErrorCodes.VALIDATION }) as Error,
      );
  });

  it("quotes at most 80 characters of a huge username in the message", () => {
    try {
      checkUsername("A".repeat(100_000));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(300);
    }
  });
});
