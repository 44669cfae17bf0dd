/**
 * The certificate download an attacker can point a delivery at: bounded in bytes, time, cache size
 * and downloads per minute, over real HTTP against a server that misbehaves on purpose.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigningIdentity, type SigningIdentity } from "../../sandbox/partner-center/sandbox-certificate";
import { createCertificateFetcher } from "../../sync/partner-center/certificate-fetcher";

let server: Server;
let base: string;
let identity: SigningIdentity;
const served: Record<string, number> = {};
let endlessBytesSent = 0;

beforeAll(async () => {
  identity = await createSigningIdentity();
  server = createServer((request, response) => {
    const path = request.url ?? "/";
    served[path] = (served[path] ?? 0) + 1;
    if (path.startsWith("/cert/good")) return response.writeHead(200, { "content-type": "application/pkix-cert" }).end(identity.certificateDer);
    if (path === "/cert/bundle.cer") return response.writeHead(200).end(`${identity.certificate.toString()}\n${identity.authority!.toString()}`);
    if (path === "/cert/declared-huge.cer") {
      response.writeHead(200, { "content-length": String(200 * 1024 * 1024) });
      return response.write(Buffer.alloc(1024));
    }
    if (path === "/cert/endless.cer") {
      // Streams without end and without a length, as fast as the socket takes it.
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (!response.destroyed && response.write(chunk)) endlessBytesSent += chunk.length;
        if (!response.destroyed) response.once("drain", pump);
      };
      return pump();
    }
    if (path === "/cert/trickle.cer") {
      response.writeHead(200);
      const timer = setInterval(() => response.write("x"), 50);
      return response.on("close", () => clearInterval(timer));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("certificate download", () => {
  it("reads a DER certificate and a PEM bundle with its issuer", async () => {
    const fetchCertificate = createCertificateFetcher();
    const [single] = await fetchCertificate(new URL(`${base}/cert/good-1.cer`));
    expect(single.fingerprint256).toBe(identity.certificate.fingerprint256);
    const bundle = await fetchCertificate(new URL(`${base}/cert/bundle.cer`));
    expect(bundle.map((c) => c.fingerprint256)).toEqual([identity.certificate.fingerprint256, identity.authority!.fingerprint256]);
  });

  it("refuses a declared Content-Length over the cap without reading the body", async () => {
    const fetchCertificate = createCertificateFetcher();
    await expect(fetchCertificate(new URL(`${base}/cert/declared-huge.cer`))).rejects.toThrow(/209715200 bytes, over the 65536-byte limit/);
  });

  it("stops reading an endless body at the cap and lets go of the connection", async () => {
    const fetchCertificate = createCertificateFetcher();
    const before = process.memoryUsage().rss;
    await expect(fetchCertificate(new URL(`${base}/cert/endless.cer`))).rejects.toThrow(/over the 65536-byte limit/);
    const sentAtRefusal = endlessBytesSent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The sender is stopped by the closed connection: at most what the socket buffers had taken.
    expect(endlessBytesSent - sentAtRefusal).toBeLessThan(8 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("gives the whole download one deadline, however fast or slow the bytes come", async () => {
    const fetchCertificate = createCertificateFetcher({ deadlineMs: 400 });
    const started = Date.now();
    await expect(fetchCertificate(new URL(`${base}/cert/trickle.cer`))).rejects.toThrow(/no complete certificate within 400 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("keeps a bounded number of URLs, downloads each once, and remembers a failure briefly", async () => {
    const fetchCertificate = createCertificateFetcher({ cacheSize: 2, downloadsPerMinute: 100 });
    for (let round = 0; round < 3; round++) await fetchCertificate(new URL(`${base}/cert/good-cache-a.cer`));
    expect(served["/cert/good-cache-a.cer"]).toBe(1);
    await fetchCertificate(new URL(`${base}/cert/good-cache-b.cer`));
    await fetchCertificate(new URL(`${base}/cert/good-cache-c.cer`));
    // a was the least recently used of three: evicted, so it is fetched again.
    await fetchCertificate(new URL(`${base}/cert/good-cache-a.cer`));
    expect(served["/cert/good-cache-a.cer"]).toBe(2);

    for (let round = 0; round < 3; round++) await expect(fetchCertificate(new URL(`${base}/cert/missing.cer`))).rejects.toThrow(/HTTP 404/);
    expect(served["/cert/missing.cer"]).toBe(1);
  });

  it("starts only so many downloads a minute, so unsigned requests cannot make it fetch on demand", async () => {
    const fetchCertificate = createCertificateFetcher({ downloadsPerMinute: 3 });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => fetchCertificate(new URL(`${base}/cert/good-budget-${i}.cer`))));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason))).toEqual(
      Array(7).fill(expect.stringMatching(/too many certificate downloads/)),
    );
    expect(Object.keys(served).filter((path) => path.startsWith("/cert/good-budget-"))).toHaveLength(3);
  });

  it("keeps serving the certificate that worked while an attacker spends the budget on URLs that fail", async () => {
    const fetchCertificate = createCertificateFetcher({ cacheSize: 2, downloadsPerMinute: 3 });
    await fetchCertificate(new URL(`${base}/cert/good-genuine.cer`));
    const attacks = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => fetchCertificate(new URL(`${base}/cert/attack-${i}.cer`))));
    expect(attacks.every((outcome) => outcome.status === "rejected")).toBe(true);
    // The genuine one is still known: answered without a download, whatever the budget says.
    const [certificate] = await fetchCertificate(new URL(`${base}/cert/good-genuine.cer`));
    expect(certificate.fingerprint256).toBe(identity.certificate.fingerprint256);
    expect(served["/cert/good-genuine.cer"]).toBe(1);
  });

  it("serves a certificate past its freshness while a new copy downloads", async () => {
    const fetchCertificate = createCertificateFetcher({ cacheTtlMs: 50 });
    await fetchCertificate(new URL(`${base}/cert/good-stale.cer`));
    await new Promise((resolve) => setTimeout(resolve, 80));
    await fetchCertificate(new URL(`${base}/cert/good-stale.cer`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(served["/cert/good-stale.cer"]).toBe(2);
  });
});
