/**
 * Kernel connection files: five free TCP ports on the loopback interface, a random
 * signing key, written 0600 into a private directory. The kernel binds the ports; we
 * hold them (a listening socket each) until just before the kernel starts, which keeps
 * the window in which another process can take one small. Callers retry a start that
 * lost the race (EADDRINUSE).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The contents of a Jupyter connection file. */
export interface ConnectionInfo {
  ip: string;
  transport: "tcp";
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** Hex HMAC key; every message is signed with it. */
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

/** Ports held open until {@link PortReservation.release}. */
export interface PortReservation {
  ports: number[];
  /** Closes the placeholder sockets so the kernel can bind the ports. */
  release(): Promise<void>;
}

/** A written connection file and the private directory that holds it. */
export interface ConnectionFile {
  path: string;
  dir: string;
  info: ConnectionInfo;
  /** Removes the directory (and the file); never throws. */
  remove(): Promise<void>;
}

/** The loopback address kernels listen on; never a public interface. */
export const KERNEL_IP = "127.0.0.1";

/** Binds `count` distinct free ports on 127.0.0.1 and keeps them bound. */
export async function reservePorts(count: number): Promise<PortReservation> {
  const servers: Server[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      // A placeholder must never keep Node alive on its own.
      server.unref();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: KERNEL_IP, port: 0, exclusive: true }, () => resolve());
      });
      servers.push(server);
    }
  } catch (err) {
    await release();
    throw err;
  }
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === "string") throw new Error("no TCP address");
    return addr.port;
  });
  return { ports, release };
}

/** A connection description for the given five ports with a fresh random key. */
export function newConnectionInfo(ports: readonly number[], kernelName: string): ConnectionInfo {
  const [shell, iopub, stdin, control, hb] = ports;
  if (
    hb === undefined ||
    shell === undefined ||
    iopub === undefined ||
    stdin === undefined ||
    control === undefined
  ) {
    throw new Error("a kernel connection needs five ports");
  }
  return {
    ip: KERNEL_IP,
    transport: "tcp",
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: kernelName,
  };
}

/**
 * Writes `info` as `kernel-<random>.json`, mode 0600, in a new 0700 directory under the
 * system temp dir: the key in it lets anyone who reads it run code in the kernel.
 */
export async function writeConnectionFile(info: ConnectionInfo): Promise<ConnectionFile> {
  const dir = await mkdtemp(join(tmpdir(), "updraft-kernel-"));
  const path = join(dir, `kernel-${randomBytes(8).toString("hex")}.json`);
  try {
    await writeFile(path, JSON.stringify(info, null, 1), { mode: 0o600, flag: "wx" });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    path,
    dir,
    info,
    remove: () => rm(dir, { recursive: true, force: true }).catch(() => undefined),
  };
}

/** The ZeroMQ endpoint of one of the kernel's ports. */
export function endpoint(info: ConnectionInfo, port: number): string {
  return `${info.transport}://${info.ip}:${port}`;
}
