/**
 * Faults the Airflow stand-in (test-airflow-server.ts) can answer a request with: an
 * error status with any body, a page that is not JSON, a huge body, no answer at all,
 * or a dropped connection. Not part of the runtime: only tests use it.
 */
import type { ServerResponse } from "node:http";

/** A fault for the next request whose path starts with a prefix. */
export type TestFault =
  | { kind: "status"; status: number; body: string; contentType?: string }
  | { kind: "not-json" }
  | { kind: "huge"; bytes: number; declareLength: boolean }
  | { kind: "hang" }
  | { kind: "reset" };

/** Answers with the fault. */
export function sendFault(res: ServerResponse, f: TestFault): void {
  switch (f.kind) {
    case "status":
      res.writeHead(f.status, { "content-type": f.contentType ?? "application/json" });
      res.end(f.body);
      return;
    case "not-json":
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!DOCTYPE html><html><body>\u001b[31mAirflow UI</body></html>");
      return;
    case "huge": {
      res.writeHead(200, {
        "content-type": "application/json",
        ...(f.declareLength ? { "content-length": String(f.bytes) } : {}),
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = f.bytes;
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(chunk.subarray(0, n))) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      pump();
      return;
    }
    case "hang":
      return;
    case "reset":
      res.socket?.destroy();
      return;
  }
}
