/** Reads a JSON request body with a size limit and a content-type check. */
import type { IncomingMessage } from "node:http";
import { HttpError, badRequest } from "./http-errors.js";

/** Largest request body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Past this many bytes an oversized body is no longer drained but the connection dropped:
 * draining lets an ordinary client read the 413, dropping bounds what a hostile one costs.
 */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * The parsed JSON body, or `undefined` when the request has no body. A non-empty body must
 * be `application/json` (415 otherwise), at most `limit` bytes (413) and valid JSON (400).
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = req.headers["content-length"];
  const length = declared === undefined ? undefined : Number(declared);
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (length === 0 || (length === undefined && !chunked)) {
    return undefined;
  }
  if (!isJsonMediaType(req.headers["content-type"])) {
    await drain(req);
    throw new HttpError(
      415,
      "E_UNSUPPORTED_MEDIA_TYPE",
      "request bodies must be JSON: send Content-Type: application/json",
      { contentType: req.headers["content-type"] ?? null },
    );
  }
  const text = await readText(req, limit);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** True for `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = header.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json";
}

// Collects the body as UTF-8; on overflow keeps reading (discarding) so the 413 can be read.
function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // A limit above the drain bound (notebook uploads) still gets that much slack past it.
    const dropAt = limit > MAX_DRAIN_BYTES ? limit + MAX_DRAIN_BYTES : MAX_DRAIN_BYTES;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > dropAt) {
        req.destroy();
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) reject(tooLargeError(limit));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(tooLarge ? tooLargeError(limit) : badRequest("request aborted"));
    });
  });
}

function tooLargeError(limit: number): HttpError {
  return new HttpError(
    413,
    "E_PAYLOAD_TOO_LARGE",
    `the request body is larger than the limit of ${limit} bytes`,
    { limit },
  );
}

/** Reads and discards the rest of a request body (bounded), so the response can be read. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on("end", () => resolve());
    req.on("close", () => resolve());
    req.on("error", () => resolve());
  });
}
