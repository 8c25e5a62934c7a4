/**
 * Entry point of the `updraft` command. With the server entry, the only place that reads
 * `process.env`; everything below gets its settings as parameters.
 */
import { main } from "./cli.js";

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // main() handles every error; reaching this is a bug.
    process.stderr.write(`updraft: ${String(err)}\n`);
    process.exitCode = 70;
  },
);
