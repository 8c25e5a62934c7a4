/** Free TCP ports on the loopback interface for the replicas of a local job. */
import { createServer, type Server } from "node:net";
import { ErrorCodes, TaskError } from "../../spec/errors.js";

/** The address local replicas listen on and reach each other at. */
export const LOCAL_HOST = "127.0.0.1";

/**
 * Returns `count` distinct free ports. All are held open together while they are picked,
 * so one call never returns the same port twice; another program may still take a port
 * between this call and the replica binding it (the usual small race of port 0).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenAnyPort(server));
    }
    return ports;
  } catch (err) {
    throw new TaskError(ErrorCodes.TASK_FAILED, "could not find a free TCP port for the job", {
      cause: err,
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Listens on port 0 of the loopback interface and resolves with the port given. */
function listenAnyPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOCAL_HOST, () => {
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("no port"));
      else resolve(address.port);
    });
  });
}
