import { describe, expect, it } from "vitest";
import type { JsonValue } from "../spec/types.js";
import { MaskingLogSink, secretMatcher } from "./masking-log-sink.js";
import { SecretMasker } from "./secret-masker.js";

const SECRET = "s3cr3t/välue+1";

describe("SecretMasker", () => {
  it("masks a string in every encoding, multi-byte characters included", () => {
    const m = new SecretMasker([SECRET]);
    expect(m.text(`a ${SECRET} b`)).toBe("a *** b");
    expect(m.text(encodeURIComponent(SECRET))).toBe("***");
    expect(m.text(JSON.stringify({ p: SECRET }))).toBe('{"p":"***"}');
    expect(m.text(Buffer.from(SECRET).toString("base64"))).toMatch(/^\*\*\*.{0,2}=*$/);
    expect(m.text("nothing here: välue")).toBe("nothing here: välue");
    expect(m.text("")).toBe("");
  });

  it("masks every string of a JSON value, keys too, without touching the input", () => {
    const m = new SecretMasker([SECRET]);
    const input: JsonValue = JSON.parse(
      `{"a": ["x${SECRET}", 1, true, null, {"${SECRET}": "${SECRET}"}], "__proto__": "${SECRET}"}`,
    ) as JsonValue;
    const copy = JSON.stringify(input);
    const out = m.json(input);
    expect(JSON.stringify(out)).toBe('{"a":["x***",1,true,null,{"***":"***"}],"__proto__":"***"}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(input)).toBe(copy);
  });

  it("is inactive without secrets and refuses a secret too short to mask", () => {
    const none = new SecretMasker(["", ""]);
    expect(none.active).toBe(false);
    const value = { k: "v" };
    expect(none.json(value)).toBe(value);
    expect(() => new SecretMasker(["short"])).toThrow(/too short to mask/);
  });

  it("hands out sinks sharing one automaton, each with its own stream state", () => {
    const matcher = secretMatcher([SECRET]);
    const a: string[] = [];
    const b: string[] = [];
    const sa = new MaskingLogSink(
      { write: (c) => void a.push(Buffer.from(c).toString()) },
      matcher,
    );
    const sb = new SecretMasker([SECRET]).wrap({
      write: (c) => void b.push(Buffer.from(c).toString()),
    });
    sa.write(SECRET.slice(0, 5));
    sb.write("other ");
    sa.write(`${SECRET.slice(5)}!`);
    sb.write(SECRET);
    sa.flush();
    sb.flush();
    expect(a.join("")).toBe("***!");
    expect(b.join("")).toBe("other ***");
  });
});
