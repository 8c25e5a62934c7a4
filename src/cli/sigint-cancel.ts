/** Ctrl-C for long commands: the first one cancels the work cleanly, a second quits at once. */

/**
 * Runs `work`, handing it a setter for the cancel function; SIGINT calls that function
 * (after printing `message`, if any) and a second SIGINT exits with 130.
 */
export async function withSigintCancel<T>(
  message: string | undefined,
  work: (onCancelReady: (cancel: () => void) => void) => Promise<T>,
): Promise<T> {
  let cancel: (() => void) | undefined;
  let signals = 0;
  const onSigint = () => {
    if (++signals > 1) process.exit(130);
    if (message) process.stderr.write(`\n${message}\n`);
    cancel?.();
  };
  process.on("SIGINT", onSigint);
  try {
    return await work((c) => (cancel = c));
  } finally {
    process.off("SIGINT", onSigint);
  }
}
