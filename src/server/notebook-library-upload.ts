/**
 * The two forms of a notebook upload: a JSON body `{path, content, overwrite?}` whose
 * `content` is the notebook's JSON object, and a `multipart/form-data` form with the
 * `.ipynb` as the `file` part and optional `path` and `overwrite` fields.
 */
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { MAX_NOTEBOOK_DEPTH } from "../notebook/nbformat.js";
import { deeperThan } from "../notebook/nbformat-json.js";
import { ErrorCodes } from "../spec/errors.js";
import { getOwn, isObject } from "../spec/json.js";
import type { JsonValue } from "../spec/types.js";
import { HttpError, badRequest } from "./http-errors.js";
import { MAX_DRAIN_BYTES } from "./request-body.js";

/** An upload as the library saves it. */
export interface NotebookUpload {
  /** The library path asked for; for a form without `path`, the file's name (if any). */
  path: string | undefined;
  /** The notebook's text. */
  text: string;
  overwrite: boolean;
}

/** Room for the path and the JSON envelope around an upload's content. */
export const UPLOAD_ENVELOPE_BYTES = 64 * 1024;

const JSON_FIELDS = new Set(["path", "content", "overwrite"]);

/** True for `multipart/form-data` (any parameters). */
export function isMultipart(header: string | undefined): boolean {
  return header?.split(";", 1)[0]?.trim().toLowerCase() === "multipart/form-data";
}

/** Checks a parsed JSON upload body and turns its `content` into notebook text. */
export function jsonUpload(body: unknown): NotebookUpload & { path: string } {
  const shape = 'send {"path": "folder/name.ipynb", "content": {...the notebook JSON...}}';
  if (body === undefined) throw badRequest(`the request has no body; ${shape}`);
  if (!isObject(body)) throw badRequest(`the request body must be a JSON object; ${shape}`);
  const unknown = Object.keys(body).filter((k) => !JSON_FIELDS.has(k));
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field(s) in the request body: ${unknown.join(", ")}; only path, content and overwrite are accepted`,
      { fields: unknown },
    );
  }
  const path = getOwn(body, "path");
  if (typeof path !== "string") throw badRequest(`"path" must be a string; ${shape}`);
  const content = getOwn(body, "content");
  if (!isObject(content)) {
    throw badRequest(`"content" must be the notebook's JSON object (not a string or a list)`);
  }
  const overwrite = getOwn(body, "overwrite");
  if (overwrite !== undefined && typeof overwrite !== "boolean") {
    throw badRequest('"overwrite" must be true or false');
  }
  // JSON.stringify recurses: a hostile nesting must be refused before it overflows the stack.
  if (deeperThan(content as JsonValue, MAX_NOTEBOOK_DEPTH)) {
    throw new HttpError(
      400,
      ErrorCodes.NOTEBOOK,
      `${path}: is nested deeper than ${MAX_NOTEBOOK_DEPTH} levels`,
      { path },
    );
  }
  return { path, text: JSON.stringify(content), overwrite: overwrite === true };
}

/**
 * Reads a multipart upload: exactly one `file` part of at most `maxBytes` (413 beyond),
 * UTF-8 text, and only the fields `path` and `overwrite` (`true`/`false`).
 */
export function readMultipartUpload(
  req: IncomingMessage,
  maxBytes: number,
): Promise<NotebookUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: "utf8",
        limits: {
          fileSize: maxBytes,
          files: 1,
          fields: 2,
          // busboy reports reaching this count: a fourth part of any kind is one too many.
          parts: 4,
          fieldNameSize: 100,
          fieldSize: 8 * 1024,
          headerPairs: 20,
        },
      });
    } catch (err) {
      reject(badRequest(`malformed multipart/form-data request: ${(err as Error).message}`));
      return;
    }
    let problem: HttpError | undefined;
    const fail = (e: HttpError) => (problem ??= e);
    const chunks: Buffer[] = [];
    let fileSeen = false;
    let tooLarge = false;
    let filename: string | undefined;
    let path: string | undefined;
    let overwrite = false;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };

    parser.on("file", (name, stream, info) => {
      if (name !== "file") {
        fail(
          badRequest(`unexpected file part ${JSON.stringify(name)}; send the notebook as "file"`),
        );
        stream.resume();
        return;
      }
      fileSeen = true;
      filename = info.filename;
      stream.on("data", (c: Buffer) => {
        if (!tooLarge) chunks.push(c);
      });
      stream.on("limit", () => {
        tooLarge = true;
        chunks.length = 0;
      });
    });
    const seenFields = new Set<string>();
    parser.on("field", (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        fail(badRequest(`the form field ${JSON.stringify(name.slice(0, 100))} is too long`));
      } else if (seenFields.has(name)) {
        fail(badRequest(`the form field ${JSON.stringify(name)} is given twice`));
      } else if (name === "path") {
        seenFields.add(name);
        path = value;
      } else if (name === "overwrite") {
        seenFields.add(name);
        if (value !== "true" && value !== "false")
          fail(badRequest('"overwrite" must be true or false'));
        overwrite = value === "true";
      } else {
        fail(
          badRequest(
            `unknown form field ${JSON.stringify(name)}; only file, path and overwrite are accepted`,
          ),
        );
      }
    });
    const tooMany = () =>
      fail(badRequest("the form has too many parts; send one file, path and overwrite"));
    parser.on("partsLimit", tooMany);
    parser.on("filesLimit", tooMany);
    parser.on("fieldsLimit", tooMany);
    parser.on("error", (err) => {
      req.unpipe(parser);
      settle(() =>
        reject(badRequest(`malformed multipart/form-data request: ${(err as Error).message}`)),
      );
    });
    parser.on("close", () => {
      settle(() => {
        if (problem) return reject(problem);
        if (tooLarge) {
          return reject(
            new HttpError(
              413,
              "E_PAYLOAD_TOO_LARGE",
              `the notebook is larger than the limit of ${maxBytes} bytes`,
              { limit: maxBytes },
            ),
          );
        }
        if (!fileSeen) return reject(badRequest('the form has no "file" part with the notebook'));
        let text: string;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
        } catch {
          return reject(
            new HttpError(400, ErrorCodes.NOTEBOOK, "the uploaded file is not UTF-8 text"),
          );
        }
        resolve({ path: path ?? filename, text, overwrite });
      });
    });
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // busboy discards what is past the file limit; past this bound it is not worth reading.
      if (size > maxBytes + MAX_DRAIN_BYTES) req.destroy();
    });
    req.on("close", () => {
      if (!req.complete) settle(() => reject(badRequest("request aborted")));
    });
    req.pipe(parser);
  });
}
