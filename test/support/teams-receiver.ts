/**
 * A local stand-in for a Teams Workflows webhook trigger: it accepts POSTs, checks each body is the
 * message Teams Workflows' "post to a channel when a webhook request is received" expects, and checks
 * the card with the Adaptive Cards SDK (the `adaptivecards` package: its parser reports unknown
 * element types and invalid or missing properties, as the card designer does). It answers with the
 * statuses it is told to, then 202 as Teams Workflows does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";

// The package's ESM build imports extension-less paths Node cannot resolve; its UMD bundle loads anywhere.
const AdaptiveCards = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

export interface ReceivedCard {
  readonly body: Record<string, unknown>;
  /** The card inside the message (attachments[0].content). */
  readonly card: Record<string, unknown>;
  /** Everything wrong with the message or its card; empty when Teams would render it. */
  readonly problems: readonly string[];
}

/** The problems Teams would have with a message posted to a Workflows webhook. */
export function checkTeamsMessage(body: unknown): { card: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const message = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (message.type !== "message") problems.push(`type is ${String(message.type)}, not "message"`);
  const attachments = Array.isArray(message.attachments) ? (message.attachments as Record<string, unknown>[]) : [];
  if (attachments.length !== 1) problems.push(`${attachments.length} attachments, expected 1`);
  const attachment = attachments[0] ?? {};
  if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") problems.push(`contentType is ${String(attachment.contentType)}`);
  const card = (attachment.content ?? {}) as Record<string, unknown>;
  if (card.type !== "AdaptiveCard") problems.push(`content.type is ${String(card.type)}, not "AdaptiveCard"`);
  // Teams Workflows renders Adaptive Cards up to 1.5; the brief asks for 1.4 or later.
  if (!/^1\.[4-5]$/.test(String(card.version))) problems.push(`card version ${String(card.version)} is not 1.4 or 1.5`);
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of parsed.validateProperties().validationEvents) problems.push(`validate: ${event.message}`);
  return { card, problems };
}

export interface TeamsReceiver {
  readonly url: string;
  readonly received: ReceivedCard[];
  /** Statuses to answer the next requests with, in order; afterwards 202. */
  respondWith(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startTeamsReceiver(): Promise<TeamsReceiver> {
  const received: ReceivedCard[] = [];
  const queue: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const status = queue.shift() ?? 202;
      if (status < 300) {
        let body: Record<string, unknown> = {};
        const problems: string[] = [];
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          problems.push("the body is not JSON");
        }
        if (request.headers["content-type"]?.split(";")[0] !== "application/json") problems.push(`content-type ${String(request.headers["content-type"])}`);
        const checked = checkTeamsMessage(body);
        received.push({ body, card: checked.card, problems: [...problems, ...checked.problems] });
      }
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/workflows/cosell/triggers/manual/paths/invoke`,
    received,
    respondWith: (...statuses) => queue.push(...statuses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
