/**
 * The notebook library endpoints of DESIGN §8: list, upload (JSON or multipart), read and
 * declared params. A notebook's path follows `/api/v1/notebooks/` as is, slashes included
 * (`/api/v1/notebooks/team/prep.ipynb`, `…/team/prep.ipynb/params`); `%2F` works too.
 */
import { HttpError } from "./http-errors.js";
import type { NotebookLibrary } from "./notebook-library.js";
import {
  UPLOAD_ENVELOPE_BYTES,
  isMultipart,
  jsonUpload,
  readMultipartUpload,
  type NotebookUpload,
} from "./notebook-library-upload.js";
import { json, type Reply } from "./reply.js";
import { isJsonMediaType, readJsonBody } from "./request-body.js";
import type { ApiRoute } from "./access.js";
import type { Handler } from "./api-handlers.js";

/** What the notebook endpoints need. */
export interface NotebookRouteDeps {
  library: NotebookLibrary;
}

/** The routes of the notebook library (the params route before the catch-all read). */
export function notebookRoutes(deps: NotebookRouteDeps): ApiRoute[] {
  const { library } = deps;
  return [
    {
      method: "GET",
      pattern: "/api/v1/notebooks",
      access: "notebook:read",
      handler: async () => json(200, await library.list()),
    },
    {
      method: "POST",
      pattern: "/api/v1/notebooks",
      access: "notebook:write",
      handler: async ({ req }) => {
        const upload = await readUpload(req, library.maxBytes);
        const { entry, created } = await library.save(upload.path, upload.text, {
          overwrite: upload.overwrite,
        });
        return json(created ? 201 : 200, entry, { location: notebookUrl(entry.path) });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/notebooks/*path/params",
      access: "notebook:read",
      handler: async ({ params }) => {
        const path = params["path"] ?? "";
        return json(200, { path, params: await library.params(path) });
      },
    },
    {
      method: "GET",
      pattern: "/api/v1/notebooks/*path",
      access: "notebook:read",
      handler: async ({ params }): Promise<Reply> => {
        const nb = await library.read(params["path"] ?? "");
        return {
          kind: "text",
          status: 200,
          body: nb.text,
          contentType: "application/x-ipynb+json; charset=utf-8",
        };
      },
    },
  ];
}

/** The API address of a library notebook, each segment percent-encoded. */
export function notebookUrl(path: string): string {
  return `/api/v1/notebooks/${path.split("/").map(encodeURIComponent).join("/")}`;
}

async function readUpload(
  req: Parameters<Handler>[0]["req"],
  maxBytes: number,
): Promise<NotebookUpload & { path: string }> {
  const type = req.headers["content-type"];
  if (isMultipart(type)) {
    const upload = await readMultipartUpload(req, maxBytes);
    const { path } = upload;
    if (path === undefined) {
      throw new HttpError(400, "E_VALIDATION", 'the form names no notebook: add a "path" field');
    }
    return { ...upload, path };
  }
  if (type !== undefined && !isJsonMediaType(type)) {
    throw new HttpError(
      415,
      "E_UNSUPPORTED_MEDIA_TYPE",
      "upload a notebook as application/json {path, content} or as multipart/form-data",
      { contentType: type },
    );
  }
  return jsonUpload(await readJsonBody(req, maxBytes + UPLOAD_ENVELOPE_BYTES));
}
