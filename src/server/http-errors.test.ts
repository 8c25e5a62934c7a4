import { describe, expect, it } from "vitest";
import { ParamError, UpdraftError, ValidationError } from "../spec/errors.js";
import { HttpError, toErrorResponse } from "./http-errors.js";

describe("toErrorResponse", () => {
  it("maps user errors to 4xx with their code, message and details", () => {
    const v = toErrorResponse(new ValidationError([{ path: "tasks.a", message: "bad" }]));
    expect(v.status).toBe(400);
    expect(v.body.error).toMatchObject({ code: "E_VALIDATION", details: [{ path: "tasks.a" }] });
    expect(toErrorResponse(new ParamError("no such param")).status).toBe(400);
    expect(toErrorResponse(new UpdraftError("E_PARSE", "x")).status).toBe(400);
    expect(toErrorResponse(new UpdraftError("E_USAGE", "x")).status).toBe(400);
    expect(toErrorResponse(new UpdraftError("E_NOT_FOUND", "x")).status).toBe(404);
    expect(toErrorResponse(new UpdraftError("E_NOTEBOOK", "not a notebook")).status).toBe(400);
    expect(toErrorResponse(new UpdraftError("E_CONFLICT", "busy")).status).toBe(409);
    const limited = toErrorResponse(
      new UpdraftError("E_RATE_LIMITED", "too many", { details: { retryAfterSeconds: 4.2 } }),
    );
    expect(limited).toMatchObject({ status: 429, headers: { "retry-after": "5" } });
    expect(toErrorResponse(new UpdraftError("E_UNAUTHENTICATED", "who?")).status).toBe(401);
    expect(toErrorResponse(new UpdraftError("E_FORBIDDEN", "no")).status).toBe(403);
    expect(toErrorResponse(new HttpError(415, "E_UNSUPPORTED_MEDIA_TYPE", "json")).status).toBe(
      415,
    );
  });

  it("hides the message of anything else behind a generic 500", () => {
    for (const err of [
      new UpdraftError("E_STORE", "disk /secret/path full"),
      new Error("SELECT * FROM secrets"),
      "a string",
    ]) {
      const r = toErrorResponse(err);
      expect(r.status).toBe(500);
      expect(r.internal).toBe(true);
      expect(JSON.stringify(r.body)).not.toMatch(/secret/);
      expect(r.body.error.code).toBe("E_INTERNAL");
    }
  });
});
