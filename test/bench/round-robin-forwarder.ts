/**
 * "One URL" in front of several backend instances, as a load balancer is: each request goes to the
 * next instance in turn; an instance that refuses the connection (killed, restarting) is skipped for
 * the next one. A request an instance took and then dropped mid-way (SIGKILL) is answered 502, as a
 * load balancer answers it: the sender's own retry rules decide what happens next.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { freePort } from "./backend-process";

export interface Forwarder {
  url: string;
  /** Requests forwarded per backend URL, and the ones no backend took. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One try against one backend: null when it refused the connection (nothing was sent). */
function forward(target: string, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer | null> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, target);
    let connected = false;
    const outgoing = request(url, { method, headers: { ...headers, host: url.host, connection: "close" }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    outgoing.on("socket", (socket) => socket.once("connect", () => (connected = true)));
    outgoing.on("error", (error: NodeJS.ErrnoException) => (connected || error.code !== "ECONNREFUSED" ? reject(error) : resolve(null)));
    outgoing.end(body);
  });
}

export async function startForwarder(backends: () => readonly string[]): Promise<Forwarder> {
  const counts: Record<string, number> = {};
  let next = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const body = Buffer.concat(chunks);
      const targets = backends();
      for (let tried = 0; tried < targets.length * 2; tried++) {
        const target = targets[next++ % targets.length]!;
        try {
          const answer = await forward(target, incoming.method ?? "GET", incoming.url ?? "/", incoming.headers, body);
          if (!answer) continue;
          counts[target] = (counts[target] ?? 0) + 1;
          const headers = { ...answer.headers };
          delete headers["transfer-encoding"];
          delete headers.connection;
          outgoing.writeHead(answer.status, headers).end(answer.body);
          return;
        } catch {
          break; // taken and dropped: the sender decides (as with a real load balancer's 502)
        }
      }
      counts.unanswered = (counts.unanswered ?? 0) + 1;
      outgoing.writeHead(502, { "content-type": "text/plain" }).end("no backend instance answered");
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
