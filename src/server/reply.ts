/** What a handler answers, written to the response in one place with the common headers. */
import { createReadStream } from "node:fs";
import type { ServerResponse } from "node:http";
import { SseStream } from "./sse.js";

/** A handler's answer: JSON, an HTML page, generated text, or a byte range of a file streamed as text. */
export type Reply =
  | { kind: "json"; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: "html"; status: number; body: string; headers?: Record<string, string> }
  | {
      kind: "file";
      status: number;
      path: string;
      size: number;
      contentType: string;
      /** Replace the common headers (the web app's files set their own CSP and caching). */
      headers?: Record<string, string>;
    }
  | { kind: "empty"; status: 204 }
  | { kind: "text"; status: number; body: string; contentType: string }
  | { kind: "events"; status: 200; attach: (stream: SseStream) => void };

/** The answer of a request that has nothing to return. */
export const NO_CONTENT: Reply = { kind: "empty", status: 204 };

/** A JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { kind: "json", status, body, ...(headers ? { headers } : {}) };
}

// Sent with every response: nothing here is meant to be cached, sniffed or framed.
const COMMON_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

// API responses load nothing; a page sets its own policy with a nonce.
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Writes a reply; a file that fails mid-stream ends the connection (the status is out). */
export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.kind === "events") {
    reply.attach(new SseStream(res));
    return;
  }
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
  if (reply.kind === "json") {
    const text = `${JSON.stringify(reply.body)}\n`;
    res.setHeader("content-security-policy", API_CSP);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.setHeader("content-length", Buffer.byteLength(text));
    res.end(text);
    return;
  }
  if (reply.kind === "html") {
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("content-length", Buffer.byteLength(reply.body));
    res.end(reply.body);
    return;
  }
  res.setHeader("content-security-policy", API_CSP);
  if (reply.kind === "empty") {
    res.end();
    return;
  }
  if (reply.kind === "text") {
    res.setHeader("content-type", reply.contentType);
    res.setHeader("content-length", Buffer.byteLength(reply.body));
    res.end(reply.body);
    return;
  }
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.setHeader("content-type", reply.contentType);
  res.setHeader("content-length", reply.size);
  if (reply.size === 0) {
    res.end();
    return;
  }
  // A fixed range: a log still being written must not outgrow the announced length.
  const stream = createReadStream(reply.path, { start: 0, end: reply.size - 1 });
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}
