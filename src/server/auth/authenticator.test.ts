import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../spec/errors.js";
import { Authenticator } from "./authenticator.js";
import { issueToken } from "./issue-token.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";
import { generateToken } from "./token-format.js";

let dir: string;
let store: SqliteAuthStore;
let now: number;
let auth: Authenticator;
const T0 = Date.parse("2026-06-01T12:00:00.000Z");

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "updraft-authn-"));
  store = SqliteAuthStore.open(join(dir, "auth.db"));
  now = T0;
  auth = new Authenticator(store, { now: () => now, touchIntervalMs: 60_000 });
  await store.createUser({
    id: "u1",
    username: "ada",
    role: "editor",
    passwordHash: "x",
    createdAt: "2026-01-01T00:00:00.000Z",
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rejects = (header: string | undefined, message: RegExp) =>
  expect(auth.authenticate(header)).rejects.toMatchObject({
    code: ErrorCodes.UNAUTHENTICATED,
    message: expect.stringMatching(message) as unknown,
  });

describe("Authenticator", () => {
  it("turns a valid bearer token into the principal and records its use, throttled", async () => {
    const { token, record } = await issueToken(
      store,
      "u1",
      "pat",
      "ci",
      new Date(T0),
      new Date(T0 + 86_400_000),
    );
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({
      userId: "u1",
      username: "ada",
      role: "editor",
      tokenId: record.id,
      tokenKind: "pat",
    });
    expect((await store.getTokenById(record.id))?.lastUsedAt).toBe(new Date(T0).toISOString());
    now += 30_000;
    await auth.authenticate(`bearer  ${token}`); // scheme is case-insensitive
    expect((await store.getTokenById(record.id))?.lastUsedAt).toBe(new Date(T0).toISOString());
    now += 30_000;
    await auth.authenticate(`Bearer ${token}`);
    expect((await store.getTokenById(record.id))?.lastUsedAt).toBe(
      new Date(T0 + 60_000).toISOString(),
    );
  });

  it("says distinctly: missing, malformed header, malformed token, unknown, revoked, expired", async () => {
    await rejects(undefined, /^Authentication required/);
    await rejects("", /^Authentication required/);
    await rejects("   ", /^Authentication required/);
    await rejects("Basic YWRhOnB3", /^Malformed Authorization header/);
    await rejects("Bearer", /^Malformed Authorization header/);
    await rejects("Bearer a b", /^Malformed Authorization header/);
    await rejects(
      `Bearer ${"x".repeat(10_000)}`,
      /^Malformed Authorization header: it is far longer/,
    );
    await rejects("Bearer upd_s_tooshort", /^Malformed token/);
    await rejects(`Bearer ${generateToken("pat")}\u0000`, /^Malformed/);
    await rejects("Bearer ' OR 1=1 --", /^Malformed/);
    await rejects(`Bearer ${generateToken("session")}`, /^Unknown token/);

    const revoked = await issueToken(
      store,
      "u1",
      "session",
      "session",
      new Date(T0),
      new Date(T0 + 1000),
    );
    await store.revokeToken(revoked.record.id, new Date(T0).toISOString());
    await rejects(`Bearer ${revoked.token}`, /^Token revoked at 2026-06-01T12:00:00.000Z/);

    const expiring = await issueToken(
      store,
      "u1",
      "session",
      "session",
      new Date(T0),
      new Date(T0 + 1000),
    );
    await auth.authenticate(`Bearer ${expiring.token}`);
    now = T0 + 1000;
    await rejects(`Bearer ${expiring.token}`, /^Token expired at 2026-06-01T12:00:01.000Z/);
  });

  it("never names a user in its messages and treats tokens of deleted users as unknown", async () => {
    const { token } = await issueToken(store, "u1", "pat", "ci", new Date(T0), null);
    await store.deleteUser("u1");
    await rejects(`Bearer ${token}`, /^Unknown token/);
    for (const header of [undefined, "junk", `Bearer ${generateToken("pat")}`]) {
      const err = await auth.authenticate(header).catch((e: unknown) => e as Error);
      expect((err as Error).message).not.toMatch(/ada/);
    }
  });

  it("accepts tokens that never expire", async () => {
    const { token } = await issueToken(store, "u1", "pat", "forever", new Date(T0), null);
    now = T0 + 10 * 365 * 86_400_000;
    expect((await auth.authenticate(`Bearer ${token}`)).username).toBe("ada");
  });
});
