/**
 * The notebook library over HTTP against a real `startService`: JSON and multipart uploads,
 * listing, reading and declared params of Python and R notebooks, and hostile requests,
 * every one of which must get a 4xx with `{error: {code, message, details}}`.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { code, markdown, notebookOf } from "../src/notebook/test-notebooks.js";
import { MAX_LIBRARY_NOTEBOOK_BYTES, type LibraryEntry } from "../src/server/notebook-library.js";
import {
  sendRaw,
  startTestService,
  type Answer,
  type SendOptions,
  type TestService,
} from "./server-helpers.js";

const PY_NOTEBOOK = notebookOf("python3", [
  markdown("# Prepare"),
  code('test_size = 0.2  # share held out\nsource: str = "s3://bucket"\n', ["parameters"]),
  code("print(test_size)"),
]);
const R_NOTEBOOK = notebookOf("ir", [
  code("n_rows <- 100L  # rows to fit\nmethod <- 'lm'\n", ["parameters"]),
  code("print(n_rows)"),
]);

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

let service: TestService;
let port: number;
let tmp: string;
let library: string;
let outside: string;

// Every request is admin's unless a test sets its own authorization header.
const send = (method: string, path: string, opts: SendOptions = {}): Promise<Answer> =>
  sendRaw(port, method, path, { ...opts, headers: { ...service.auth, ...opts.headers } });

const JSON_HEADERS = { "content-type": "application/json" };

function postJson(body: unknown): Promise<Answer> {
  return send("POST", "/api/v1/notebooks", { body: JSON.stringify(body), headers: JSON_HEADERS });
}

const BOUNDARY = "----updraft-test-boundary";

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
}

/** A multipart/form-data body built by hand, so that tests can also break it. */
function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    const type = p.filename === undefined ? "" : "Content-Type: application/x-ipynb+json\r\n";
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function postForm(body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  return send("POST", "/api/v1/notebooks", { body, headers: { "content-type": contentType } });
}

function expectError(a: Answer, status: number, code?: string): ErrorBody["error"] {
  expect(a.status, a.text).toBe(status);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  const body = a.json<ErrorBody>();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "details", "message"]);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message).not.toMatch(/\n\s+at /); // no stack trace
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "updraft-nblib-e2e-"));
  library = join(tmp, "lib");
  outside = join(tmp, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.ipynb"), JSON.stringify(PY_NOTEBOOK));
  service = await startTestService(tmp, { libraryDir: library });
  port = service.port;
});

afterAll(async () => {
  await service?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("notebook library API", () => {
  it("creates the library directory on start and lists it empty", async () => {
    expect(readdirSync(library)).toEqual([]);
    const a = await send("GET", "/api/v1/notebooks");
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ notebooks: [], truncated: false });
  });

  it("uploads a notebook as JSON, then lists, reads and inspects it", async () => {
    const a = await postJson({ path: "team/prep.ipynb", content: PY_NOTEBOOK });
    expect(a.status, a.text).toBe(201);
    expect(a.headers["location"]).toBe("/api/v1/notebooks/team/prep.ipynb");
    expect(a.json<LibraryEntry>()).toMatchObject({
      path: "team/prep.ipynb",
      kernel: "python3",
      language: "python",
      params: 2,
      error: null,
    });
    const list = (await send("GET", "/api/v1/notebooks")).json<{ notebooks: LibraryEntry[] }>();
    expect(list.notebooks.map((n) => n.path)).toContain("team/prep.ipynb");

    const read = await send("GET", "/api/v1/notebooks/team/prep.ipynb");
    expect(read.status).toBe(200);
    expect(read.headers["content-type"]).toMatch(/^application\/x-ipynb\+json/);
    const nb = read.json<{ nbformat: number; cells: { source: string[] }[] }>();
    expect(nb.nbformat).toBe(4);
    expect(nb.cells).toHaveLength(3);
    expect(nb.cells[0]?.source).toEqual(["# Prepare"]);
    // The same notebook through an encoded slash.
    expect((await send("GET", "/api/v1/notebooks/team%2Fprep.ipynb")).text).toBe(read.text);

    const params = await send("GET", "/api/v1/notebooks/team/prep.ipynb/params");
    expect(params.status).toBe(200);
    expect(params.json()).toEqual({
      path: "team/prep.ipynb",
      params: [
        { name: "test_size", inferredType: "float", default: "0.2", help: "share held out" },
        { name: "source", inferredType: "str", default: '"s3://bucket"', help: "" },
      ],
    });
  });

  it("uploads an R notebook as multipart and reads its params", async () => {
    const a = await postForm(
      multipart([
        { name: "path", value: "models/fit model.ipynb" },
        { name: "file", value: JSON.stringify(R_NOTEBOOK), filename: "whatever.ipynb" },
      ]),
    );
    expect(a.status, a.text).toBe(201);
    expect(a.headers["location"]).toBe("/api/v1/notebooks/models/fit%20model.ipynb");
    expect(a.json<LibraryEntry>()).toMatchObject({ kernel: "ir", language: "R", params: 2 });
    const params = await send("GET", "/api/v1/notebooks/models/fit%20model.ipynb/params");
    expect(params.json()).toEqual({
      path: "models/fit model.ipynb",
      params: [
        { name: "n_rows", inferredType: "integer", default: "100L", help: "rows to fit" },
        { name: "method", inferredType: "character", default: "'lm'", help: "" },
      ],
    });
  });

  it("names a multipart upload without path after its file, and never after a path in it", async () => {
    const a = await postForm(
      multipart([{ name: "file", value: JSON.stringify(R_NOTEBOOK), filename: "../../r.ipynb" }]),
    );
    expect(a.status, a.text).toBe(201);
    expect(a.json<LibraryEntry>().path).toBe("r.ipynb");
    expect(readdirSync(outside)).toEqual(["secret.ipynb"]);
  });

  it("accepts a form encoded by fetch's FormData with file, path and overwrite", async () => {
    const upload = async (overwrite: string) => {
      const form = new FormData();
      form.append("path", "forms/fetched.ipynb");
      form.append("overwrite", overwrite);
      form.append("file", new Blob([JSON.stringify(PY_NOTEBOOK)]), "local name.ipynb");
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/notebooks`, {
        method: "POST",
        headers: service.auth,
        body: form,
      });
      return { status: res.status, body: (await res.json()) as LibraryEntry };
    };
    const first = await upload("false");
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ path: "forms/fetched.ipynb", params: 2 });
    expect((await upload("false")).status).toBe(409);
    expect((await upload("true")).status).toBe(200);
  });

  it("refuses to overwrite without overwrite: true, in both forms", async () => {
    const body = { path: "dup.ipynb", content: PY_NOTEBOOK };
    expect((await postJson(body)).status).toBe(201);
    const err = expectError(await postJson({ ...body, content: R_NOTEBOOK }), 409, "E_CONFLICT");
    expect(err.message).toMatch(/overwrite/);
    expect((await send("GET", "/api/v1/notebooks/dup.ipynb")).json()).toMatchObject({
      metadata: { kernelspec: { name: "python3" } },
    });
    const replaced = await postJson({ ...body, content: R_NOTEBOOK, overwrite: true });
    expect(replaced.status).toBe(200);
    expect(replaced.json<LibraryEntry>().kernel).toBe("ir");
    const file = { name: "file", value: JSON.stringify(PY_NOTEBOOK), filename: "dup.ipynb" };
    expectError(await postForm(multipart([file])), 409, "E_CONFLICT");
    const viaForm = await postForm(multipart([{ name: "overwrite", value: "true" }, file]));
    expect(viaForm.status, viaForm.text).toBe(200);
    expect(viaForm.json<LibraryEntry>().kernel).toBe("python3");
  });

  it("takes SQL and shell metacharacters in a name as plain characters", async () => {
    const path = `q/x'; DROP TABLE runs;-- $(rm -rf ~) "y".ipynb`;
    const a = await postJson({ path, content: PY_NOTEBOOK });
    expect(a.status, a.text).toBe(201);
    const read = await send(
      "GET",
      `/api/v1/notebooks/${path.split("/").map(encodeURIComponent).join("/")}`,
    );
    expect(read.status).toBe(200);
  });

  it("refuses traversal, absolute, NUL, huge and deep paths when reading", async () => {
    const bad = [
      "/api/v1/notebooks/..%2F..%2Foutside%2Fsecret.ipynb",
      "/api/v1/notebooks/%2e%2e/outside/secret.ipynb",
      "/api/v1/notebooks/%2e%2e%2foutside%2fsecret.ipynb/params",
      "/api/v1/notebooks/%2Fetc%2Fpasswd.ipynb",
      "/api/v1/notebooks//etc/secret.ipynb",
      "/api/v1/notebooks/a%00.ipynb",
      "/api/v1/notebooks/a%0A.ipynb/params",
      "/api/v1/notebooks/a%5C..%5Csecret.ipynb",
      `/api/v1/notebooks/${"x".repeat(300)}.ipynb`,
      `/api/v1/notebooks/${"d/".repeat(40)}x.ipynb`,
      "/api/v1/notebooks/etc/passwd",
      "/api/v1/notebooks/.hidden.ipynb",
    ];
    for (const path of bad) expectError(await send("GET", path), 400, "E_VALIDATION");
    expectError(await send("GET", "/api/v1/notebooks/a%zz.ipynb"), 400);
    expectError(await send("GET", "/api/v1/notebooks/missing.ipynb"), 404, "E_NOT_FOUND");
    expectError(await send("GET", "/api/v1/notebooks/no/such.ipynb/params"), 404, "E_NOT_FOUND");
    expectError(await send("DELETE", "/api/v1/notebooks/team/prep.ipynb"), 405);
    expectError(await send("PUT", "/api/v1/notebooks"), 405);
  });

  it("refuses links out of the library and leaves them out of the listing", async () => {
    symlinkSync(join(outside, "secret.ipynb"), join(library, "leak.ipynb"));
    symlinkSync(outside, join(library, "escape"));
    expectError(await send("GET", "/api/v1/notebooks/leak.ipynb"), 400, "E_VALIDATION");
    expectError(await send("GET", "/api/v1/notebooks/leak.ipynb/params"), 400, "E_VALIDATION");
    expectError(await send("GET", "/api/v1/notebooks/escape/secret.ipynb"), 400, "E_VALIDATION");
    expectError(
      await postJson({ path: "escape/planted.ipynb", content: PY_NOTEBOOK }),
      400,
      "E_VALIDATION",
    );
    expect(readdirSync(outside)).toEqual(["secret.ipynb"]);
    const list = (await send("GET", "/api/v1/notebooks")).json<{ notebooks: LibraryEntry[] }>();
    expect(list.notebooks.map((n) => n.path).filter((p) => /leak|escape/.test(p))).toEqual([]);
  });

  it("refuses malformed JSON uploads with a 4xx", async () => {
    const post = (body: string, headers: Record<string, string> = JSON_HEADERS) =>
      send("POST", "/api/v1/notebooks", { body, headers });
    expectError(await post("{not json"), 400, "E_VALIDATION");
    expectError(await post("[1]"), 400, "E_VALIDATION");
    expectError(await post('"x"'), 400, "E_VALIDATION");
    expectError(await send("POST", "/api/v1/notebooks"), 400, "E_VALIDATION");
    expectError(await post('{"path":"a.ipynb"}', { "content-type": "text/plain" }), 415);
    const ok = { path: "ok.ipynb", content: PY_NOTEBOOK };
    expectError(await postJson({ ...ok, extra: 1 }), 400, "E_VALIDATION");
    expectError(await postJson({ ...ok, path: 7 }), 400, "E_VALIDATION");
    expectError(await postJson({ content: PY_NOTEBOOK }), 400, "E_VALIDATION");
    expectError(await postJson({ ...ok, overwrite: "yes" }), 400, "E_VALIDATION");
    expectError(await postJson({ ...ok, content: JSON.stringify(PY_NOTEBOOK) }), 400);
    expectError(await postJson({ ...ok, content: [PY_NOTEBOOK] }), 400);
    expectError(await postJson({ ...ok, content: null }), 400);
    for (const path of ["../ok.ipynb", "/tmp/ok.ipynb", "a\u0000.ipynb", "ok.txt", "a//b.ipynb"]) {
      expectError(await postJson({ ...ok, path }), 400, "E_VALIDATION");
    }
    expectError(await postJson({ ...ok, path: "x".repeat(100_000) }), 400, "E_VALIDATION");
    expectError(await postJson({ ...ok, content: { a: 1 } }), 400, "E_NOTEBOOK");
    expectError(
      await postJson({ ...ok, content: { nbformat: 3, worksheets: [] } }),
      400,
      "E_NOTEBOOK",
    );
    expectError(
      await postJson({ ...ok, content: { ...PY_NOTEBOOK, cells: [{ cell_type: "evil" }] } }),
      400,
      "E_NOTEBOOK",
    );
    // Nesting that would overflow a recursive serializer.
    const deep = `{"path":"ok.ipynb","content":{"nbformat":4,"metadata":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}},"cells":[]}}`;
    expectError(await post(deep), 400, "E_NOTEBOOK");
    expect(readdirSync(library)).not.toContain("ok.ipynb");
  });

  it("refuses uploads over the limit with a 413", async () => {
    const big = { ...PY_NOTEBOOK, metadata: { pad: "x".repeat(MAX_LIBRARY_NOTEBOOK_BYTES + 1) } };
    expectError(await postJson({ path: "big.ipynb", content: big }), 413, "E_PAYLOAD_TOO_LARGE");
    const form = multipart([{ name: "file", value: JSON.stringify(big), filename: "big.ipynb" }]);
    expectError(await postForm(form), 413, "E_PAYLOAD_TOO_LARGE");
    expect(readdirSync(library)).not.toContain("big.ipynb");
  });

  it("accepts a notebook just under the limit, larger than other request bodies", async () => {
    const pad = "y".repeat(MAX_LIBRARY_NOTEBOOK_BYTES - 100_000);
    const a = await postJson({
      path: "large.ipynb",
      content: { ...PY_NOTEBOOK, metadata: { ...PY_NOTEBOOK.metadata, pad } },
    });
    expect(a.status, a.text.slice(0, 300)).toBe(201);
    expect(a.json<LibraryEntry>().size).toBeGreaterThan(MAX_LIBRARY_NOTEBOOK_BYTES - 100_000);
  });

  it("refuses malformed and hostile multipart uploads with a 4xx", async () => {
    const nb = JSON.stringify(PY_NOTEBOOK);
    const file = { name: "file", value: nb, filename: "m.ipynb" };
    expectError(await postForm(multipart([file]), "multipart/form-data"), 400, "E_VALIDATION");
    expectError(await postForm(multipart([file]).subarray(0, 120)), 400, "E_VALIDATION");
    expectError(await postForm(Buffer.from("garbage without any boundary")), 400);
    expectError(await postForm(multipart([{ ...file, name: "notebook" }])), 400, "E_VALIDATION");
    expectError(await postForm(multipart([file, { ...file, filename: "n.ipynb" }])), 400);
    expectError(await postForm(multipart([{ name: "color", value: "red" }, file])), 400);
    expectError(await postForm(multipart([{ name: "overwrite", value: "maybe" }, file])), 400);
    expectError(await postForm(multipart([{ name: "path", value: "x.ipynb" }])), 400);
    const path = { name: "path", value: "m.ipynb" };
    expectError(await postForm(multipart([path, path, file])), 400, "E_VALIDATION");
    const overwrite = { name: "overwrite", value: "true" };
    expectError(await postForm(multipart([path, overwrite, file, overwrite])), 400);
    expectError(await postForm(multipart([path, overwrite, file, file])), 400);
    expectError(
      await postForm(multipart([{ name: "path", value: "x".repeat(20_000) }, file])),
      400,
    );
    expectError(
      await postForm(multipart([{ name: "path", value: "../m.ipynb" }, file])),
      400,
      "E_VALIDATION",
    );
    expectError(await postForm(multipart([{ name: "path", value: "a\u0000.ipynb" }, file])), 400);
    expectError(await postForm(multipart([{ ...file, filename: "" }])), 400);
    expectError(
      await postForm(multipart([{ ...file, value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }])),
      400,
      "E_NOTEBOOK",
    );
    expectError(await postForm(multipart([{ ...file, value: "{ nope" }])), 400, "E_NOTEBOOK");
    expectError(await postForm(multipart([{ ...file, value: "" }])), 400, "E_NOTEBOOK");
    expect(readdirSync(library)).not.toContain("m.ipynb");
  });

  it("refuses a cross-origin upload", async () => {
    const a = await send("POST", "/api/v1/notebooks", {
      body: JSON.stringify({ path: "csrf.ipynb", content: PY_NOTEBOOK }),
      headers: { ...JSON_HEADERS, origin: "http://evil.example" },
    });
    expectError(a, 403);
    expect(readdirSync(library)).not.toContain("csrf.ipynb");
  });

  it("logged no internal error for any of it", () => {
    expect(service.stderr()).not.toMatch(/failed:|E_INTERNAL/);
  });
});
