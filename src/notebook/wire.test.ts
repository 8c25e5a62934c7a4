import { describe, expect, it } from "vitest";
import { DELIMITER, Session } from "./wire.js";

const key = "a".repeat(64);

describe("wire format", () => {
  it("round-trips a signed message with identities and buffers", () => {
    const session = new Session(key);
    const msg = session.message("execute_request", { code: "1+1" });
    msg.identities = [Buffer.from("peer")];
    msg.buffers = [Buffer.from([0, 1, 2])];
    const frames = session.encode(msg);
    expect(frames[1]?.toString()).toBe(DELIMITER);
    const decoded = session.decode(frames);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.msg.header).toMatchObject({
      msg_type: "execute_request",
      version: "5.3",
      session: session.id,
    });
    expect(decoded.msg.header.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(decoded.msg.header.date).toISOString()).toBe(decoded.msg.header.date);
    expect(decoded.msg.content).toEqual({ code: "1+1" });
    expect(decoded.msg.identities.map(String)).toEqual(["peer"]);
    expect(decoded.msg.buffers[0]).toEqual(Buffer.from([0, 1, 2]));
  });

  it("rejects wrong signatures and messages signed with another key", () => {
    const session = new Session(key);
    const frames = session.encode(session.message("status", { execution_state: "idle" }));
    const forged = [...frames];
    forged[1] = Buffer.from("0".repeat(64));
    expect(session.decode(forged)).toEqual({ ok: false, reason: "bad message signature" });
    const other = new Session("b".repeat(64));
    expect(session.decode(other.encode(other.message("status", {})))).toMatchObject({ ok: false });
    forged[1] = Buffer.from("short");
    expect(session.decode(forged)).toMatchObject({ ok: false, reason: "bad message signature" });
  });

  it("never throws on garbage", () => {
    const session = new Session(key);
    const sign = (parts: Buffer[]): Buffer => Buffer.from(session.sign(parts));
    const badJson = [
      Buffer.from("{}"),
      Buffer.from("{}"),
      Buffer.from("{}"),
      Buffer.from("{not json"),
    ];
    const notObject = [Buffer.from("[]"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    const noType = [Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    const cases: Buffer[][] = [
      [],
      [Buffer.from("garbage")],
      [Buffer.from(DELIMITER)],
      [Buffer.from(DELIMITER), Buffer.from("sig")],
      [Buffer.from(DELIMITER), sign(badJson), ...badJson],
      [Buffer.from(DELIMITER), sign(notObject), ...notObject],
      [Buffer.from(DELIMITER), sign(noType), ...noType],
      [
        Buffer.from(DELIMITER),
        Buffer.alloc(64),
        Buffer.alloc(30 * 1024 * 1024, 0x7b),
        Buffer.alloc(0),
        Buffer.alloc(0),
        Buffer.alloc(0),
      ],
      [
        Buffer.from(DELIMITER),
        Buffer.from([0xff, 0xfe]),
        Buffer.from([0xff]),
        Buffer.from([0xff]),
        Buffer.from([0xff]),
        Buffer.from([0xff]),
      ],
    ];
    for (const frames of cases) {
      const result = session.decode(frames);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toBeTypeOf("string");
    }
    // A JSON frame above the limit is refused even when correctly signed.
    const small = new Session(key, { limits: { maxJsonFrameBytes: 10 } });
    const frames = small.encode(small.message("stream", { text: "x".repeat(100) }));
    const refused = small.decode(frames);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toContain("exceeds");
  });

  it("leaves messages unsigned with an empty key", () => {
    const session = new Session("");
    const frames = session.encode(session.message("status", {}));
    expect(frames[1]?.length).toBe(0);
    expect(session.decode(frames).ok).toBe(true);
  });
});
