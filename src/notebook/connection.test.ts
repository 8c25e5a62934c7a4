import { readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newConnectionInfo, reservePorts, writeConnectionFile } from "./connection.js";

describe("connection files", () => {
  it("reserves distinct ports and writes a private connection file", async () => {
    const reservation = await reservePorts(5);
    expect(new Set(reservation.ports).size).toBe(5);
    await reservation.release();
    const info = newConnectionInfo(reservation.ports, "python3");
    expect(info).toMatchObject({
      ip: "127.0.0.1",
      transport: "tcp",
      signature_scheme: "hmac-sha256",
    });
    expect(info.key).toMatch(/^[0-9a-f]{64}$/);
    const file = await writeConnectionFile(info);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(file.dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file.path, "utf8"))).toEqual(info);
    await file.remove();
    expect(existsSync(file.dir)).toBe(false);
  });
});
