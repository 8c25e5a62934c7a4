/**
 * Writes docs/format-reference.md from the workflow JSON Schema (`npm run docs:reference`);
 * `--check` only reports whether the file is current (exit 1 when it is not).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { renderFormatReference } from "../src/spec/format-reference.js";
import { workflowJsonSchema } from "../src/spec/schema.js";

/** The checkout's root. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the generated reference lives. */
export const FORMAT_REFERENCE_PATH = join(ROOT, "docs", "format-reference.md");

/** The reference as the file should hold it: rendered, then formatted as `make lint` wants. */
export async function formatReferenceText(): Promise<string> {
  const config = (await resolveConfig(FORMAT_REFERENCE_PATH)) ?? {};
  return format(renderFormatReference(workflowJsonSchema), { ...config, parser: "markdown" });
}

async function main(argv: string[]): Promise<number> {
  const text = await formatReferenceText();
  let current: string | undefined;
  try {
    current = readFileSync(FORMAT_REFERENCE_PATH, "utf8");
  } catch {
    current = undefined;
  }
  if (argv.includes("--check")) {
    if (current === text) return 0;
    process.stderr.write(`${FORMAT_REFERENCE_PATH} is out of date: run npm run docs:reference\n`);
    return 1;
  }
  if (current !== text) writeFileSync(FORMAT_REFERENCE_PATH, text);
  process.stdout.write(`${current === text ? "unchanged" : "wrote"} ${FORMAT_REFERENCE_PATH}\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`gen-format-reference: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
