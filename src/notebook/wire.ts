/**
 * The Jupyter messaging wire format (protocol 5.3): routing identities, the `<IDS|MSG>`
 * delimiter, an HMAC-SHA256 signature over the four JSON frames, the frames themselves
 * and binary buffers. Decoding never throws: whatever a peer sends, a bad message comes
 * back as a reason, so one hostile or corrupt frame cannot stop a receive loop.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { userInfo } from "node:os";

/** The delimiter between routing identities and the message proper. */
export const DELIMITER = "<IDS|MSG>";
/** Messaging protocol version we speak. */
export const PROTOCOL_VERSION = "5.3";

/** A message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [key: string]: unknown;
}

/** A decoded Jupyter message. */
export interface JupyterMessage<C = { [key: string]: unknown }> {
  /** Routing prefix (ROUTER identities); empty on the client side of a DEALER. */
  identities: Buffer[];
  header: MessageHeader;
  /** The header of the request this message answers, or `{}`. */
  parent_header: Partial<MessageHeader>;
  metadata: { [key: string]: unknown };
  content: C;
  buffers: Buffer[];
}

/** The outcome of decoding: a message, or why the frames were rejected. */
export type DecodeResult = { ok: true; msg: JupyterMessage } | { ok: false; reason: string };

/** Limits that protect the receive loop from absurd input. */
export interface SessionLimits {
  /** Largest JSON frame (header, parent header, metadata or content) decoded, in bytes. */
  maxJsonFrameBytes: number;
}

const DEFAULT_LIMITS: SessionLimits = { maxJsonFrameBytes: 256 * 1024 * 1024 };
const DELIMITER_BYTES = Buffer.from(DELIMITER);

/** Signs, builds, encodes and decodes messages for one client session. */
export class Session {
  /** The session id every header carries. */
  readonly id: string;
  readonly username: string;
  readonly #key: Buffer;
  readonly #limits: SessionLimits;

  constructor(
    key: string,
    opts: { id?: string; username?: string; limits?: Partial<SessionLimits> } = {},
  ) {
    this.#key = Buffer.from(key, "utf8");
    this.id = opts.id ?? randomUUID();
    this.username = opts.username ?? safeUsername();
    this.#limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  /** A new header for a message of type `msgType`. */
  header(msgType: string): MessageHeader {
    return {
      msg_id: randomUUID(),
      session: this.id,
      username: this.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
  }

  /** A complete message of type `msgType`, optionally answering `parent`. */
  message<C>(msgType: string, content: C, parent?: MessageHeader): JupyterMessage<C> {
    return {
      identities: [],
      header: this.header(msgType),
      parent_header: parent ?? {},
      metadata: {},
      content,
      buffers: [],
    };
  }

  /** The hex signature of the four JSON frames ("" when the key is empty: unsigned mode). */
  sign(frames: readonly Buffer[]): string {
    if (this.#key.length === 0) return "";
    const hmac = createHmac("sha256", this.#key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  /** The frames to send for `msg`. */
  encode(msg: JupyterMessage<unknown>): Buffer[] {
    const json = [msg.header, msg.parent_header, msg.metadata, msg.content].map((v) =>
      Buffer.from(JSON.stringify(v ?? {}), "utf8"),
    );
    return [
      ...msg.identities,
      DELIMITER_BYTES,
      Buffer.from(this.sign(json), "ascii"),
      ...json,
      ...msg.buffers,
    ];
  }

  /** Decodes received frames; never throws. */
  decode(frames: readonly Buffer[]): DecodeResult {
    try {
      return this.#decode(frames);
    } catch (err) {
      // Belt and braces: nothing below should throw, but a receive loop must survive anything.
      return {
        ok: false,
        reason: `undecodable message: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }

  #decode(frames: readonly Buffer[]): DecodeResult {
    const at = frames.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIMITER_BYTES));
    if (at < 0)
      return { ok: false, reason: `no ${DELIMITER} delimiter among ${frames.length} frame(s)` };
    if (frames.length < at + 6) {
      return {
        ok: false,
        reason: `expected 5 frames after the delimiter, got ${frames.length - at - 1}`,
      };
    }
    const signature = frames[at + 1] as Buffer;
    const json = frames.slice(at + 2, at + 6);
    if (this.#key.length > 0) {
      const expected = Buffer.from(this.sign(json), "ascii");
      // Lengths differ for garbage; timingSafeEqual needs equal lengths and compares in constant time.
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        return { ok: false, reason: "bad message signature" };
      }
    }
    const parts: { [key: string]: unknown }[] = [];
    const names = ["header", "parent_header", "metadata", "content"];
    for (let i = 0; i < 4; i++) {
      const frame = json[i] as Buffer;
      if (frame.length > this.#limits.maxJsonFrameBytes) {
        return {
          ok: false,
          reason: `${names[i]} frame of ${frame.length} bytes exceeds the limit`,
        };
      }
      let value: unknown;
      try {
        value = JSON.parse(frame.toString("utf8"));
      } catch {
        return { ok: false, reason: `${names[i]} frame is not valid JSON` };
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { ok: false, reason: `${names[i]} frame is not a JSON object` };
      }
      parts.push(value as { [key: string]: unknown });
    }
    const [header, parent, metadata, content] = parts as [
      { [key: string]: unknown },
      { [key: string]: unknown },
      { [key: string]: unknown },
      { [key: string]: unknown },
    ];
    if (typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
      return { ok: false, reason: "header lacks msg_type or msg_id" };
    }
    return {
      ok: true,
      msg: {
        identities: frames.slice(0, at),
        header: header as MessageHeader,
        parent_header: parent,
        metadata,
        content,
        buffers: frames.slice(at + 6),
      },
    };
  }
}

/** The OS user name, or "updraft" where it cannot be determined (e.g. no passwd entry). */
function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "updraft";
  }
}
