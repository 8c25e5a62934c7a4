import { describe, expect, it } from "vitest";
import { ErrorCodes, UpdraftError } from "../../spec/errors.js";
import { toErrorResponse } from "../http-errors.js";
import { authorize } from "./permissions.js";

describe("auth errors over HTTP", () => {
  it("map to 401, 403 and 429 with their message and code", () => {
    let unauthenticated: unknown;
    try {
      authorize(undefined, "workflow:read");
    } catch (err) {
      unauthenticated = err;
    }
    expect(toErrorResponse(unauthenticated)).toMatchObject({
      status: 401,
      internal: false,
      body: { error: { code: "E_UNAUTHENTICATED" } },
    });
    expect(toErrorResponse(new UpdraftError(ErrorCodes.FORBIDDEN, "no"))).toMatchObject({
      status: 403,
      body: { error: { code: "E_FORBIDDEN", message: "no" } },
    });
    expect(
      toErrorResponse(
        new UpdraftError(ErrorCodes.RATE_LIMITED, "slow down", {
          details: { retryAfterSeconds: 9 },
        }),
      ),
    ).toMatchObject({
      status: 429,
      body: { error: { code: "E_RATE_LIMITED", details: { retryAfterSeconds: 9 } } },
    });
    // A broken key or ciphertext is the server's problem: 500 without the details.
    expect(
      toErrorResponse(new UpdraftError(ErrorCodes.SECRET, "key file /x is mode 0644")),
    ).toMatchObject({ status: 500, internal: true });
  });
});
